# shellcheck shell=bash
# scripts/find-jdk.sh -- bash library, meant to be sourced:
#
#     source scripts/find-jdk.sh
#     atlas_find_jdk || exit 1
#
# atlas_find_jdk sets and exports JAVA_HOME to a JDK (bin/java and bin/javac)
# whose major version is >= 25. Search order:
#   (a) $JAVA_HOME, if set
#   (b) the `java` on PATH (real home = readlink -f of the binary, two dirs up)
#   (c) every JDK home under the search dirs (the highest version wins):
#       /usr/lib/jvm/*  /usr/java/*  /opt/java/*
#       /Library/Java/JavaVirtualMachines/*/Contents/Home
#       ~/.sdkman/candidates/java/*  ~/.jdks/*
# On failure it prints what it searched and found to stderr and returns 1.
#
# ATLAS_JDK_SEARCH_DIRS (colon-separated parent directories) replaces the list
# in (c); it exists for tests. Each entry D contributes D/* and D/*/Contents/Home.
#
# Safe under `set -euo pipefail` in the caller, and does not change the
# caller's shell options. Bash 3.2 compatible (macOS /bin/bash).

ATLAS_MIN_JDK=25

# Print the canonical path of $1 (file or directory); $1 itself if that fails.
_atlas_realpath() {
  local p=$1 r=''
  r=$(readlink -f -- "$p" 2>/dev/null) || r=''
  if [ -z "$r" ]; then
    # No GNU readlink (old macOS): resolve symlinks by hand.
    r=$p
    local n=0 t=''
    while [ -L "$r" ] && [ "$n" -lt 40 ]; do
      t=$(readlink -- "$r") || break
      case $t in
        /*) r=$t ;;
        *) r=$(dirname -- "$r")/$t ;;
      esac
      n=$((n + 1))
    done
    if [ -d "$r" ]; then
      r=$(cd -P -- "$r" 2>/dev/null && pwd -P) || r=$p
    elif [ -d "$(dirname -- "$r")" ]; then
      r=$(cd -P -- "$(dirname -- "$r")" 2>/dev/null && pwd -P)/$(basename -- "$r") || r=$p
    fi
  fi
  printf '%s\n' "$r"
}

# Print the Java major version of the JDK home $1 (8 for 1.8, 25 for 25.0.3,
# 26 for 26-ea), or nothing if $1 is not a JDK or the version is unknown.
# Always returns 0.
_atlas_jdk_major() {
  local home=$1 v='' line=''
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
  if [ -r "$home/release" ]; then
    # Fast path: JAVA_VERSION="25.0.3" in the release file.
    line=$(grep -m 1 '^JAVA_VERSION=' "$home/release" 2>/dev/null) || line=''
    v=${line#JAVA_VERSION=}
    v=${v//\"/}
  fi
  if [ -z "$v" ]; then
    v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 |
          sed -n 's/^[[:space:]]*java\.specification\.version[[:space:]]*=[[:space:]]*//p' |
          head -n 1) || v=''
  fi
  case $v in 1.*) v=${v#1.} ;; esac
  v=${v%%[!0-9]*}
  if [ -n "$v" ]; then printf '%s\n' "$v"; fi
  return 0
}

atlas_find_jdk() {
  local want=$ATLAS_MIN_JDK
  local home='' real='' major='' bin=''
  local seen=$'\n'     # newline-separated real paths already examined
  local report=''      # "found N at PATH" lines for the error message
  local nl=$'\n'

  # (a) $JAVA_HOME
  if [ -n "${JAVA_HOME:-}" ]; then
    home=${JAVA_HOME%/}
    major=$(_atlas_jdk_major "$home")
    if [ -n "$major" ] && [ "$major" -ge "$want" ]; then
      export JAVA_HOME="$home"
      return 0
    fi
    if [ -n "$major" ]; then
      echo "atlas: JAVA_HOME=$JAVA_HOME is JDK $major, looking further" >&2
      report="${report}  found $major at $home (JAVA_HOME)$nl"
    else
      echo "atlas: JAVA_HOME=$JAVA_HOME is not a JDK (no bin/java + bin/javac), looking further" >&2
      report="${report}  JAVA_HOME=$JAVA_HOME is not a JDK$nl"
    fi
    real=$(_atlas_realpath "$home")
    seen="$seen$real$nl"
  fi

  # (b) the java on PATH
  bin=$(command -v java 2>/dev/null) || bin=''
  if [ -n "$bin" ]; then
    real=$(_atlas_realpath "$bin")
    home=$(dirname -- "$(dirname -- "$real")")
    case $seen in
      *"$nl$home$nl"*) ;;
      *)
        seen="$seen$home$nl"
        major=$(_atlas_jdk_major "$home")
        if [ -n "$major" ] && [ "$major" -ge "$want" ]; then
          export JAVA_HOME="$home"
          return 0
        fi
        if [ -n "$major" ]; then
          report="${report}  found $major at $home (java on PATH: $bin)$nl"
        else
          report="${report}  java on PATH ($bin) is not a JDK (no $home/bin/javac)$nl"
        fi
        ;;
    esac
  fi

  # (c) well-known install locations; pick the highest version >= $want
  local dirs
  if [ -n "${ATLAS_JDK_SEARCH_DIRS:-}" ]; then
    dirs=$ATLAS_JDK_SEARCH_DIRS
  else
    dirs=/usr/lib/jvm:/usr/java:/opt/java:/Library/Java/JavaVirtualMachines
    if [ -n "${HOME:-}" ]; then
      dirs="$dirs:$HOME/.sdkman/candidates/java:$HOME/.jdks"
    fi
  fi
  local best='' best_major=0 dir='' cand='' searched='' rest="$dirs:"
  while [ -n "$rest" ]; do
    dir=${rest%%:*}
    rest=${rest#*:}
    dir=${dir%/}
    [ -n "$dir" ] || continue
    searched="$searched $dir/*"
    [ -d "$dir" ] || continue
    for cand in "$dir"/* "$dir"/*/Contents/Home; do
      [ -d "$cand" ] || continue          # also skips unmatched glob patterns
      real=$(_atlas_realpath "$cand")
      case $seen in *"$nl$real$nl"*) continue ;; esac
      seen="$seen$real$nl"
      major=$(_atlas_jdk_major "$cand")
      if [ -z "$major" ]; then
        if [ -x "$cand/bin/java" ]; then
          report="${report}  $cand has no bin/javac (a JRE, not a JDK)$nl"
        fi
        continue
      fi
      report="${report}  found $major at $cand$nl"
      if [ "$major" -ge "$want" ] && [ "$major" -gt "$best_major" ]; then
        best=$cand
        best_major=$major
      fi
    done
  done
  if [ -n "$best" ]; then
    export JAVA_HOME="$best"
    return 0
  fi

  {
    echo "atlas: no JDK $want or newer found."
    echo "  searched: \$JAVA_HOME (${JAVA_HOME:-unset}), the java on PATH (${bin:-none}),$searched"
    if [ -n "$report" ]; then
      printf '%s' "$report"
    else
      echo "  found no JDK at all"
    fi
    echo "Atlas needs JDK $want or newer: install one (e.g. Temurin $want) or set JAVA_HOME"
  } >&2
  return 1
}
