#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# fixtures/softhsm-module finds the SoftHSM2 module at run time, as a
# machine without /usr/lib/softhsm/libsofthsm2.so (other distributions,
# other architectures) needs: SOFTHSM_MODULE first, then the module
# p11-kit registers (here a fake pkg-config naming a private config
# folder), then what dpkg says the package installed, then the usual places.
. "$(dirname "$0")/../lib/e2e.sh"

SM=$TOP/fixtures/softhsm-module
REAL=$("$SM") || { echo "Bail out! no SoftHSM2 module on this machine"; exit 1; }
check "the module found is a PKCS#11 library" sh -c "nm -D '$REAL' | grep -q ' T C_GetFunctionList'"

FAKE=$T_TMP/bin
mkdir -p "$FAKE" "$T_TMP/modules" "$T_TMP/lib" "$T_TMP/pkg"
ln -s "$REAL" "$T_TMP/lib/libsofthsm2.so"
ln -s "$REAL" "$T_TMP/pkg/libsofthsm2.so"
printf 'module: %s\n' "$T_TMP/lib/libsofthsm2.so" >"$T_TMP/modules/softhsm2.module"
cat >"$FAKE/pkg-config" <<SH
#!/bin/sh
case "\$*" in
*p11_module_configs*) echo "$T_TMP/modules" ;;
*p11_module_path*) echo "$T_TMP/lib" ;;
*) exit 1 ;;
esac
SH
chmod 755 "$FAKE"/*

expect_exit "SOFTHSM_MODULE wins" 0 env SOFTHSM_MODULE="$T_TMP/pkg/libsofthsm2.so" "$SM"
expect_eq "... its path is printed" "$(cat "$T_TMP/last.out")" "$T_TMP/pkg/libsofthsm2.so"
expect_exit "a SOFTHSM_MODULE that does not exist fails" 1 env SOFTHSM_MODULE="$T_TMP/none.so" "$SM"
expect_grep "... saying so" "SOFTHSM_MODULE=$T_TMP/none.so does not exist" "$T_TMP/last.err"
expect_exit "the module p11-kit registers" 0 env -u SOFTHSM_MODULE PATH="$FAKE:$PATH" "$SM"
expect_eq "... is the one printed" "$(cat "$T_TMP/last.out")" "$T_TMP/lib/libsofthsm2.so"
printf 'module: libsofthsm2.so\n' >"$T_TMP/modules/softhsm2.module"
expect_exit "a bare module name in p11-kit's folder" 0 env -u SOFTHSM_MODULE PATH="$FAKE:$PATH" "$SM"
expect_eq "... is resolved in p11-kit's module path" "$(cat "$T_TMP/last.out")" "$T_TMP/lib/libsofthsm2.so"
# A p11-kit entry naming a missing file is skipped: another source answers.
printf 'module: %s/gone.so\n' "$T_TMP" >"$T_TMP/modules/softhsm2.module"
expect_exit "a stale p11-kit entry is skipped" 0 env -u SOFTHSM_MODULE PATH="$FAKE:$PATH" "$SM"
check "... for a module that exists" test -f "$(cat "$T_TMP/last.out")"
finish
