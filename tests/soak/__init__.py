"""Long reliability runs (`make soak`) and the load and call-soak helpers they share with
the short versions in `make test`."""
