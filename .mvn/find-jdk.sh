# Sourced by ./mvnw and .ci/run: makes JAVA_HOME point at a JDK >= 21.
# NiFi 2 needs Java 21; many machines still default to 17.
bisync_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1 | cut -d. -f1
}
bisync_find_jdk() {
  local candidate major
  set +f  # ./mvnw runs with globbing off; the JDK folders need it
  for candidate in "${JAVA_HOME:-}" "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")" /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(bisync_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}
if bisync_jdk=$(bisync_find_jdk); then
  export JAVA_HOME="$bisync_jdk"
  export PATH="$JAVA_HOME/bin:$PATH"
else
  echo "nifi-bisync needs a JDK 21 or newer (NiFi 2 requires Java 21). None was found in JAVA_HOME, on the PATH or under /usr/lib/jvm." >&2
  echo "Install one (for example Temurin 21 or 25) and set JAVA_HOME to it." >&2
  exit 1
fi
