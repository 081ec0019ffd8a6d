"""Capitol Watch: a California behavioral-health legislation tracker."""

__version__ = "0.1.0"
