#!/usr/bin/env bash
# Runs the test suite on another Node line: `.ci/test-on-node.sh 22` (a major, or an exact
# version such as 22.23.5); further arguments go to Jest.
#
# The Node binary is the npm registry's `node-<platform>-<arch>` package, the newest release of
# that line, kept in a cache outside the repository. better-sqlite3 is a native addon built for
# one Node ABI, so it is compiled against that Node's own headers (npm_config_nodedir: node-gyp
# never downloads anything), the suite runs with that Node first on PATH (so the Node and npm that
# tests spawn are the same), and at the end, on failure too, node_modules gets back the build for
# the machine's own Node. Builds for other Nodes are cached, so a second run compiles nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

wanted="${1:-}"
if ! [[ "${wanted}" =~ ^[0-9]+(\.[0-9]+){0,2}$ ]]; then
  echo "usage: $0 <node major or version> [jest arguments...]" >&2
  exit 2
fi
shift

# This script rewrites a native build inside node_modules: a node_modules shared with other
# checkouts through a symlink would be changed under them.
if [ -L node_modules ] || [ ! -d node_modules/better-sqlite3 ]; then
  echo "$0 needs this checkout's own installed node_modules (npm ci), not a symlink" >&2
  exit 2
fi

cache="${NODE_VERSIONS_CACHE:-${XDG_CACHE_HOME:-${HOME}/.cache}/nest-data-layer}"
package="node-$(node -p 'process.platform + "-" + process.arch')"
addon=node_modules/better-sqlite3/build/Release/better_sqlite3.node
sqlite_version="$(node -p 'require("better-sqlite3/package.json").version')"

# Whether a Node loads the addon currently in node_modules.
loads_addon() {
  "$1" -e 'new (require("better-sqlite3"))(":memory:").prepare("select 1").get()' >/dev/null 2>&1
}

# The newest registry release of the wanted line; offline, the newest one already cached.
resolve_version() {
  local listed
  if listed="$(npm view "${package}@${wanted}" version --json 2>/dev/null)" && [ -n "${listed}" ]; then
    printf '%s' "${listed}" | node -e '
      const versions = [].concat(JSON.parse(require("fs").readFileSync(0, "utf8")));
      const key = (v) => v.split(".").map(Number);
      versions.sort((a, b) => key(a).reduce((d, x, i) => d || x - key(b)[i], 0));
      console.log(versions.at(-1) ?? "");'
  else
    find "${cache}/node" -mindepth 1 -maxdepth 1 \( -name "${wanted}" -o -name "${wanted}.*" \) -printf '%f\n' 2>/dev/null |
      sort -V | tail -n 1
  fi
}

version="$(resolve_version)"
if [ -z "${version}" ]; then
  echo "no ${package} release matches ${wanted} (registry unreachable and nothing cached)" >&2
  exit 1
fi
nodedir="${cache}/node/${version}"
if [ ! -x "${nodedir}/bin/node" ]; then
  echo "fetching ${package}@${version} into ${nodedir}"
  download="$(mktemp -d)"
  npm pack "${package}@${version}" --pack-destination "${download}" --silent >/dev/null
  mkdir -p "${download}/node"
  tar -xzf "${download}"/*.tgz --strip-components=1 -C "${download}/node"
  mkdir -p "${cache}/node"
  # Another run may have finished the same download meanwhile; either copy is complete.
  mv -T "${download}/node" "${nodedir}" 2>/dev/null || true
  rm -rf "${download}"
fi
if [ ! -f "${nodedir}/include/node/node_version.h" ]; then
  echo "${nodedir} has no Node headers (include/node): cannot build native addons for it" >&2
  exit 1
fi

# Keep the machine's own build to put back; if node_modules holds some other build (a run that was
# killed before its clean-up), it is rebuilt for the machine's Node at the end instead.
own_node="$(command -v node)"
saved="$(mktemp -d)"
if loads_addon "${own_node}"; then cp "${addon}" "${saved}/"; fi
restore_own_build() {
  if [ -f "${saved}/better_sqlite3.node" ]; then cp "${saved}/better_sqlite3.node" "${addon}"; fi
  if ! loads_addon "${own_node}"; then
    echo "rebuilding better-sqlite3 for $("${own_node}" --version)" >&2
    npm rebuild better-sqlite3 >&2
  fi
  rm -rf "${saved}"
}
trap restore_own_build EXIT
# Interrupted or terminated, the shell exits through the EXIT trap too (after the running step).
trap 'exit 130' INT
trap 'exit 143' TERM

built="${cache}/better-sqlite3/${sqlite_version}/node-${version}/better_sqlite3.node"
if [ -f "${built}" ]; then
  cp "${built}" "${addon}"
else
  echo "compiling better-sqlite3 ${sqlite_version} for Node ${version}"
  if ! PATH="${nodedir}/bin:${PATH}" npm_config_nodedir="${nodedir}" npm_config_build_from_source=true \
    npm rebuild better-sqlite3 --foreground-scripts >"${saved}/build.log" 2>&1; then
    cat "${saved}/build.log" >&2
    echo "compiling better-sqlite3 ${sqlite_version} for Node ${version} failed" >&2
    exit 1
  fi
  mkdir -p "$(dirname "${built}")"
  cp "${addon}" "${built}.$$.partial" && mv "${built}.$$.partial" "${built}"
fi
if ! loads_addon "${nodedir}/bin/node"; then
  echo "better-sqlite3 ${sqlite_version} does not load on Node ${version}" >&2
  exit 1
fi

echo "running the test suite on Node ${version} (better-sqlite3 ${sqlite_version})"
PATH="${nodedir}/bin:${PATH}" npm_config_nodedir="${nodedir}" \
  "${nodedir}/bin/node" --experimental-vm-modules node_modules/jest/bin/jest.js "$@"
