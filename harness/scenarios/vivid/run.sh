# V4L2 vivid (vb2-dma-contig) captures into dma-bufs from every heap: a
# second real importer next to vgem, built only into the kernel with
# series-extra/ (the extra-* stages of make check).
run_test vivid-capture /bin/vivid-capture
