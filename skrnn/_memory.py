"""Fail fast, naming the parameter to lower, when an allocation cannot fit."""

__all__ = ["available_memory", "check_memory", "format_bytes"]


def available_memory():
    """Bytes the system could still give this process, or None if unknown.

    ``MemAvailable`` of ``/proc/meminfo`` (Linux: free memory plus what the
    kernel can reclaim); elsewhere the physical memory, a looser bound.
    """
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        import os

        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def format_bytes(n_bytes):
    """``n_bytes`` in the largest unit that keeps it at least 1.

    Examples
    --------
    >>> format_bytes(3 * 1024**3)
    '3.0 GiB'
    """
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n_bytes < 1024 or unit == "PiB":
            return (
                f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
            )
        n_bytes /= 1024


def check_memory(n_bytes, what, remedy):
    """Raise ValueError if ``n_bytes`` exceed the memory available.

    Parameters
    ----------
    n_bytes : float
        Estimated peak of the allocations about to be made.
    what : str
        What needs them, e.g. ``"EchoStateRegressor(n_reservoir=1000000)"``.
    remedy : str
        What to lower, e.g. ``"lower n_reservoir"``.
    """
    available = available_memory()
    if available is not None and n_bytes > available:
        raise ValueError(
            f"{what} needs about {format_bytes(n_bytes)} of memory, more than "
            f"the {format_bytes(available)} available; {remedy}."
        )
