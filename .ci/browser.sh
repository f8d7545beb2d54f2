#!/usr/bin/env bash
# The consent banner's browser test (ConsentBannerBrowserTests) needs a headless Chromium and its matching
# chromedriver; it fails, never skips, without them. Sourced by .ci/run. Uses, in order: HUNTAZE_CHROMIUM and
# HUNTAZE_CHROMEDRIVER when set; Debian's /usr/bin/chromium and /usr/bin/chromedriver (installed with apt-get from
# the packages chromium and chromium-driver when missing); on a runner without those packages (Ubuntu ships
# Chromium as a snap), the preinstalled Google Chrome and the chromedriver in CHROMEWEBDRIVER.
# No browser download from the network: Selenium Manager is never asked (the test names both binaries).

browser_setup() {
  if [[ -n "${HUNTAZE_CHROMIUM:-}" && -n "${HUNTAZE_CHROMEDRIVER:-}" ]]; then
    :
  elif [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
    :
  # Not `grep -q`: it stops reading at the first match, apt-cache then dies of SIGPIPE, and under .ci/run's pipefail
  # the whole test fails now and then (a new machine without Chromium skipped the install that way).
  elif apt-cache show chromium-driver >/dev/null 2>&1 && apt-cache policy chromium 2>/dev/null | grep 'Candidate: [0-9]' >/dev/null; then
    echo "browser: installing chromium and chromium-driver (apt-get)"
    local sudo_cmd=""
    if [[ $(id -u) -ne 0 ]]; then sudo_cmd="sudo"; fi
    $sudo_cmd apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium chromium-driver >/dev/null
  elif command -v google-chrome >/dev/null 2>&1 && [[ -x "${CHROMEWEBDRIVER:-}/chromedriver" ]]; then
    HUNTAZE_CHROMIUM=$(command -v google-chrome)
    HUNTAZE_CHROMEDRIVER="${CHROMEWEBDRIVER}/chromedriver"
    export HUNTAZE_CHROMIUM HUNTAZE_CHROMEDRIVER
  fi

  local browser="${HUNTAZE_CHROMIUM:-/usr/bin/chromium}" driver="${HUNTAZE_CHROMEDRIVER:-/usr/bin/chromedriver}"
  if [[ -x "$browser" && -x "$driver" ]]; then
    echo "browser: $("$browser" --version 2>/dev/null | head -1), $("$driver" --version 2>/dev/null | cut -d' ' -f1-2)"
  else
    echo "browser: none found; the consent banner's browser test will fail"
    return 1
  fi
}

browser_setup
