#!/bin/sh
# gqlgen-floor.sh measures how fast users(first: 100) with its edges could
# be under gqlgen with a data layer that costs nothing (BENCHMARKS.md,
# "The gqlgen floor"). It is an experiment, not part of the product or CI:
# it runs BenchmarkSideBySide's users pages on a throw-away worktree of
# HEAD in three builds, each beside the hand-written handler in the same run:
#
#   agentdesk  HEAD as it is;
#   floor      testdata/gqlgen-floor.patch applied: the page and its
#              users' edges are what the first request read, so later
#              requests run no SQL and no edge authorization;
#   serial     floor, on a copy of gqlgen whose lists and concurrent
#              fields run one after another instead of a goroutine each.
#
#	sh internal/loadtest/baseline/gqlgen-floor.sh [count]   (default 5)
#
# The figures are CPU per request on one core (-cpu 1). Compare each
# agentdesk line with the baseline lines of its own run.
set -eu

count=${1:-5}
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/tree" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

git -C "$root" worktree add --quiet --detach "$work/tree" HEAD
cd "$work/tree"
bench() {
	go test ./internal/loadtest/baseline -run '^$' -bench 'SideBySide/^(users|stationLoginOptions)' -benchmem -count "$count" -cpu 1 |
		grep '^Benchmark' | sed "s|/agentdesk |/agentdesk-$1 |"
}

bench head
git apply "$root/internal/loadtest/baseline/testdata/gqlgen-floor.patch"
bench floor

# A copy of the gqlgen this go.mod names, with its two places that start a
# goroutine per list element and per concurrent field made sequential.
gqlgen=$(go list -m -f '{{.Dir}}' github.com/99designs/gqlgen)
cp -r "$gqlgen" "$work/gqlgen"
chmod -R u+w "$work/gqlgen"
sed -i 's/^\t\tgo f(i)$/\t\tf(i)/' "$work/gqlgen/graphql/slice.go"
sed -i 's/^\t\t\tgo func(d delayedResult) {$/\t\t\tfunc(d delayedResult) {/' "$work/gqlgen/graphql/fieldset.go"
if grep -q 'go f(i)' "$work/gqlgen/graphql/slice.go" || grep -q 'go func(d delayedResult)' "$work/gqlgen/graphql/fieldset.go"; then
	echo "gqlgen-floor.sh: this gqlgen's goroutines are not where the script expects them; update the two sed lines" >&2
	exit 1
fi
go mod edit -replace "github.com/99designs/gqlgen=$work/gqlgen"
bench serial
