# Sourced by bash test scripts: `free_port VAR` sets VAR (an array element too) to a loopback
# TCP port nothing listens on now and that this shell has not handed out before (it assigns
# rather than prints, so the record of ports handed out lives in this shell, not a subshell). Ports come from below the kernel's ephemeral range
# (ip_local_port_range), so a server restarted on its port cannot find it taken by some other
# test's outgoing connection, which draws its local port from that range.
free_port_used=" "
free_port() {
  local low=32768 p
  read -r low _ < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
  [ "$low" -gt 11000 ] 2>/dev/null || low=32768
  while true; do
    p=$((10000 + RANDOM % (low - 10000)))
    case "$free_port_used" in *" $p "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      free_port_used="$free_port_used$p "
      printf -v "$1" '%s' "$p"
      return
    fi
  done
}
