# The two commands of the README: `make run` and `make test`. Both install what is missing.
.PHONY: run test setup build bench bench-scim bench-console bench-sso bench-signin bench-tti
run:
	scripts/run.sh
test:
	scripts/test.sh
setup:
	scripts/setup.sh
bench:
	scripts/bench-all.sh
bench-scim:
	scripts/bench.sh
bench-console:
	cargo run --release -q -p server --bin cantara-console-bench
bench-signin:
	scripts/bench-signin.sh
bench-tti:
	scripts/bench-tti.sh
bench-sso:
	cargo run --release -q -p server --bin cantara-sso-bench
build: setup
	scripts/build.sh
