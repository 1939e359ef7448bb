#!/bin/sh
# A realistic request mix for the demo dashboards (compose profile "load"): mostly quotes for several
# symbols, some batches and streams, some unknown symbols and bad input, and a slow tail through long streams.
# Runs until stopped; one request at a time with a short pause, so it never swamps the services.
set -u
url="${GATEWAY_URL:-http://localhost:8080}"
symbols="AAPL MSFT GOOGL AMZN NVDA META TSLA JPM V SPY QQQ"
i=0
while true; do
    i=$((i + 1))
    symbol=$(echo "$symbols" | tr ' ' '\n' | sed -n "$(( (i % 11) + 1 ))p")
    case $((i % 20)) in
        0) curl -s -o /dev/null "$url/api/v1/quotes/NOPE$((i % 3))" ;;                       # 404
        1) curl -s -o /dev/null "$url/api/v1/quotes/bad%20symbol" ;;                        # 400
        2) curl -s -o /dev/null -X POST "$url/api/v1/market-data/fetch" -H 'content-type: application/json' \
               -d "{\"symbols\":[\"AAPL\",\"$symbol\",\"MSFT\"],\"source_id\":\"simulated\"}" ;;
        3) curl -s -o /dev/null "$url/api/v1/quotes/$symbol/stream?count=5&interval_ms=200" ;;  # ~1 s
        4) curl -s -o /dev/null -X POST "$url/api/v1/market-data/fetch" -H 'content-type: text/plain' -d 'x' ;;
        *) curl -s -o /dev/null -H "X-Correlation-ID: loadgen-$i" "$url/api/v1/quotes/$symbol" ;;
    esac
    sleep 0.05
done
