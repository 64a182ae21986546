# bench/docblock.sh — sourced by the bench/*.sh scripts: puts a run's generated results block into
# docs/BENCHMARKS.md. Each script owns one section whose generated part lies between the lines
# "<!-- NAME-results:begin ..." and "<!-- NAME-results:end -->"; only those lines are rewritten.
#
# replace_results_block DOC NAME TITLE BLOCK [INTRO_FN]
#   BLOCK is a file holding the new block, markers included. With markers in DOC, the lines between
#   them (markers included) become BLOCK's; without, DOC gains "## TITLE", the output of INTRO_FN
#   (the section's prose, when given) and BLOCK at its end. DOC may not exist yet.
replace_results_block() {
  local doc=$1 name=$2 title=$3 block=$4 intro=${5:-} tmp
  tmp=$(mktemp)
  if [ -f "$doc" ] && grep -q "^<!-- $name-results:begin" "$doc"; then
    awk -v block="$block" -v begin="^<!-- $name-results:begin" -v end="^<!-- $name-results:end" '
      $0 ~ begin { while ((getline l < block) > 0) print l; skip = 1; next }
      $0 ~ end { skip = 0; next }
      !skip { print }' "$doc" >"$tmp"
  else
    {
      if [ -f "$doc" ]; then cat "$doc"; echo; fi
      echo "## $title"; echo
      if [ -n "$intro" ]; then "$intro"; echo; fi
      cat "$block"
    } >"$tmp"
  fi
  mv "$tmp" "$doc"
}
