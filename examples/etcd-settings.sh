#!/usr/bin/env bash
# DLP settings in etcd, written the way the messenger vendor's manual writes them (the escaped \/ included).
# ETCD is the endpoint, PREFIX the environment prefix (plumber.yml etcd.prefixes).
set -euo pipefail
ETCD=${ETCD:-127.0.0.1:2379}
PREFIX=${PREFIX:-development}
dlp=/vars/services/plumber/$PREFIX/public/service/DLP
export ETCDCTL_API=3

case "${1:-icap}" in
icap) # SearchInform over ICAP
    etcdctl --endpoints="$ETCD" put "$dlp/system" icap
    etcdctl --endpoints="$ETCD" put "$dlp/address" 'icap:\/\/90.239.107.151:1344/request'
    ;;
infowatch) # InfoWatch Traffic Monitor push API
    etcdctl --endpoints="$ETCD" put "$dlp/system" infowatch
    etcdctl --endpoints="$ETCD" put "$dlp/address" infowatch.beicq.net:9101
    etcdctl --endpoints="$ETCD" put "$dlp/token" "${TOKEN:?set TOKEN to the Traffic Monitor access token}"
    etcdctl --endpoints="$ETCD" put "$dlp/company" "${COMPANY:?set COMPANY to the licence's company name}"
    etcdctl --endpoints="$ETCD" put "$dlp/imservice" im_VKteams
    ;;
*)
    echo "usage: $0 [icap|infowatch]" >&2
    exit 2
    ;;
esac
etcdctl --endpoints="$ETCD" get --prefix "$dlp/"
