/*
 * bcryptprimitives.dll for Wine 8.0, exporting only ProcessPrng.
 *
 * Why it exists: Go 1.22 and later call bcryptprimitives!ProcessPrng at start-up for
 * crypto/rand and the runtime's own randomness. Debian 12's Wine 8.0 has no
 * bcryptprimitives.dll, so every Go Windows binary dies at once with "bcryptprimitives.dll not
 * found". This DLL forwards ProcessPrng to advapi32!SystemFunction036 (RtlGenRandom), which
 * Wine implements from the host's random source.
 *
 * When it can go: once CI runs a Wine that ships bcryptprimitives.dll with ProcessPrng, as
 * later Wine releases than Debian 12's 8.0 do. .ci/wine-tests builds and installs it only when
 * the fresh prefix lacks the DLL, so on such a Wine it is simply not used.
 *
 * Built by .ci/wine-tests with:
 *   x86_64-w64-mingw32-gcc -shared -nostdlib -O2 -s -o bcryptprimitives.dll \
 *       processprng.c processprng.def -ladvapi32 -lkernel32
 */
#include <windows.h>

/* RtlGenRandom; the header declares it only under a different name, so declare it here. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* ProcessPrng fills data with len random bytes. Windows documents that it always returns
 * TRUE; if RtlGenRandom ever fails we return FALSE so that the caller sees the failure
 * (Go's runtime aborts) rather than using an unfilled buffer. */
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}

BOOL WINAPI DllMainCRTStartup(HINSTANCE inst, DWORD reason, LPVOID reserved)
{
	(void)inst; (void)reason; (void)reserved;
	return TRUE;
}
