# Sourced by ./jlava, scripts/test.sh and .ci/run: selects a JDK 25+ (java on PATH may be 17).
# Order: $JAVA_HOME if it is 25+, then the system JVM folder, then java on PATH.
_jlava_java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1; }
_jlava_pick=""
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  v=$(_jlava_java_major "$JAVA_HOME"); [ "${v:-0}" -ge 25 ] 2>/dev/null && _jlava_pick="$JAVA_HOME"
fi
if [ -z "$_jlava_pick" ]; then
  for d in /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    [ -x "$d/bin/java" ] && [ -x "$d/bin/javac" ] || continue
    v=$(_jlava_java_major "$d"); if [ "${v:-0}" -ge 25 ] 2>/dev/null; then _jlava_pick="$d"; break; fi
  done
fi
if [ -z "$_jlava_pick" ] && command -v java >/dev/null 2>&1; then
  d=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
  v=$(_jlava_java_major "$d"); [ "${v:-0}" -ge 25 ] 2>/dev/null && _jlava_pick="$d"
fi
if [ -z "$_jlava_pick" ]; then
  echo "jlava: no JDK 25 found (looked at JAVA_HOME, /usr/lib/jvm and java on PATH); install Temurin 25 or set JAVA_HOME" >&2
  exit 1
fi
export JAVA_HOME="$_jlava_pick"
export PATH="$JAVA_HOME/bin:$PATH"
unset _jlava_pick v d
