package org.resvision.tools.corpus;

import java.nio.file.Files;
import java.util.List;

/**
 * {@code weights}: unknown names and files that are not the checkpoint they claim to be. (Offline,
 * a mirror's 404 and a truncated file in the cache need the process's settings: MessagesTest.)
 */
final class WeightsCases implements BadInput.Source {

    @Override
    public List<BadInput> cases() {
        return List.of(
                BadInput.error("weights/unknown-name", "the name and the closest catalog names",
                        d -> new String[] {"weights", "fetch", "resnet5"}, "unknown weights 'resnet5'", "closest: resnet50:IMAGENET1K_V1"),
                BadInput.error("weights/verify-truncated", "the file, its SHA-256 and the hash prefix the name's entry requires",
                        d -> new String[] {"weights", "verify",
                                Files.write(d.resolve("resnet18-f37072fd.pth"), new byte[1000]).toString()},
                        "resnet18-f37072fd.pth: SHA-256 ", "does not start with f37072fd as resnet18:IMAGENET1K_V1 requires"),
                BadInput.error("weights/verify-unknown-file", "the file and that its SHA-256 matches no published checkpoint",
                        d -> new String[] {"weights", "verify", Files.write(d.resolve("mine.pth"), new byte[] {1, 2, 3}).toString()},
                        "mine.pth: SHA-256 ", "matches no published checkpoint"),
                BadInput.error("weights/verify-missing-file", "the file and that there is no such file",
                        d -> new String[] {"weights", "verify", d.resolve("gone.pth").toString()}, "gone.pth: no such file"),
                BadInput.usage("weights/no-sub-command", "the sub-commands: list, fetch and verify",
                        d -> new String[] {"weights"}, "expected list, fetch NAME or verify NAME|FILE"),
                BadInput.usage("weights/fetch-two-names", "that fetch takes one NAME",
                        d -> new String[] {"weights", "fetch", "resnet18", "resnet34"}, "fetch takes one NAME, got 2 arguments"));
    }
}
