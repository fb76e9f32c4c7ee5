"""Runtime report: where am I running, on what, and how much CPU and memory do I use."""
import os
import platform
import resource
import socket
import sys
import time

START = time.perf_counter()


def memory_mb() -> float:
    """Resident set size in MB, from /proc when available."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    import psutil  # the compiled dependency the image has to carry

    busy = sum(i * i for i in range(200_000))  # a little CPU work to report on
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"hostname:  {socket.gethostname()}")
    print(f"platform:  {platform.platform()} ({platform.machine()})")
    print(f"cpus:      {os.cpu_count()} (load {psutil.cpu_percent(interval=0.1):.1f}%)")
    print(f"cpu time:  {usage.ru_utime + usage.ru_stime:.3f} s (checksum {busy % 97})")
    print(f"memory:    {memory_mb():.1f} MB resident, {psutil.virtual_memory().total // 2**20} MB total")
    print(f"python:    {sys.version.split()[0]} ({platform.python_implementation()})")
    print(f"run time:  {time.perf_counter() - START:.3f} s")


if __name__ == "__main__":
    main()
