"""The one-line report the torchvision bench scripts print (the shell drivers parse it)."""
import resource
import statistics


def report(mode, batch, times):
    """times: seconds per measured iteration (after warm-up)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"torchvision {mode} b{batch} median_ms={1000 * statistics.median(times):.1f} "
          f"min_ms={1000 * min(times):.1f} peak_rss_mb={rss:.0f}", flush=True)
