"""The one-line report the torchvision bench scripts print (the shell drivers parse it)."""
import math
import os
import resource
import statistics
import sys
import time


def report(mode, batch, times, loss=None):
    """times: seconds per measured iteration (after warm-up); loss: the last training step's total
    loss (printed as loss=.., as the Java side does), None for inference."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    tail = "" if loss is None else f" loss={loss:.4g}"
    print(f"torchvision {mode} b{batch} median_ms={1000 * statistics.median(times):.1f} "
          f"min_ms={1000 * min(times):.1f} peak_rss_mb={rss:.0f}{tail}", flush=True)


def finite_loss(loss, iteration):
    """The loss tensor's value; exits with one line when it is NaN or infinite: a diverged run's later
    steps time other work than a training step's (a diverged Faster R-CNN keeps only its ground-truth
    boxes as proposals)."""
    v = loss.item()
    if not math.isfinite(v):
        sys.exit(f"{os.path.basename(sys.argv[0])}: training diverged at step {iteration + 1} (loss {v}): "
                 "the later steps would not time a training step's work")
    return v


def timed_steps(step, warmup, iters, profile=None):
    """Calls step(i) for i in 0 .. warmup + iters - 1, timing each call; the last one is recorded
    with torch's profiler into the chrome trace PROFILE when given. Returns the measured seconds
    (after the warm-up) and what the last call returned (a training step's loss, None for
    inference)."""
    import torch  # only the scripts that time torch import this module's timing

    times, last = [], None
    for i in range(warmup + iters):
        prof = None
        if profile and i == warmup + iters - 1:
            prof = torch.autograd.profiler.profile()
            prof.__enter__()
        t = time.perf_counter()
        last = step(i)
        times.append(time.perf_counter() - t)
        if prof is not None:
            prof.__exit__(None, None, None)
            prof.export_chrome_trace(profile)
    return times[warmup:], last


def sgd_step(opt, loss_fn, iteration):
    """One training step: zero the gradients (torch 1.13's default keeps them allocated, as DJL
    does), loss_fn() for the loss, backward, opt.step(); returns the loss's value (finite_loss)."""
    opt.zero_grad()
    loss = loss_fn()
    value = finite_loss(loss, iteration)
    loss.backward()
    opt.step()
    return value
