# The one place that names the base kernel. Everything else derives from it.
# If Debian stops serving this package from trixie-backports, change
# KERNEL_VERSION here (and rebase the patches under series/).
KERNEL_VERSION := 7.3
