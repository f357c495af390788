"""The four services. Importing any of them registers the system they make with the kernel (services/system.py)."""

from services import system as system
