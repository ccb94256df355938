# The two commands of the README: `make run` and `make test`. Both install what is missing.
.PHONY: run test setup build bench
run:
	scripts/run.sh
test:
	scripts/test.sh
setup:
	scripts/setup.sh
bench:
	scripts/bench.sh
build: setup
	scripts/build.sh
