# SPDX-License-Identifier: Apache-2.0
# TVS test tools: tvs-query.py, a TVS client (VERIFY, QUERY, raw and hostile
# bytes, trickled bytes, plain TCP, idle connections) written apart from
# libctl's codec; and fake-tvsd.py, a scripted TVS server (honest, stalled,
# lying, "unknown") for phone-verifier. The e2e tests run them directly with
# python3, so nothing is built here.
TVS_QUERY := tests/tools/tvs/tvs-query.py
