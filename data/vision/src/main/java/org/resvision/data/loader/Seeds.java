package org.resvision.data.loader;

import java.util.Random;

/**
 * Independent random streams from (seed, epoch, index, ...) keys. {@code new Random(k)} and {@code
 * new Random(k + 1)} start almost alike (their first {@code nextDouble()} differ in the fourth
 * decimal), so streams made from neighbouring keys made the same choice for every image of an epoch
 * (with {@code (seed * 31 + epoch) * 1_000_003 + index}: all 480 images flipped in one epoch, none in
 * the next). The key's parts go through SplitMix64's finaliser first, which spreads neighbouring
 * keys over the whole seed space.
 *
 * <p>Stateless; safe to call from several threads.
 */
public final class Seeds {

    private Seeds() {}

    /**
     * SplitMix64's finaliser: a bijection of the longs whose neighbouring inputs give unrelated outputs.
     *
     * @param z any long
     * @return its mix
     */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /**
     * A stream for a key.
     *
     * @param parts the key, for example {@code seed, epoch, index}; the same parts give the same stream
     * @return a new generator seeded with the mixed key
     */
    public static Random random(long... parts) {
        long h = 0x9E3779B97F4A7C15L;
        for (long p : parts) {
            h = mix(h + mix(p));
        }
        return new Random(h);
    }
}
