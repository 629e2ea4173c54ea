using System.Runtime.InteropServices;

namespace Purr.Crypto.Interop;

/// <summary>
/// Source-generated imports of the system libsodium. Callers in this assembly check every length
/// in managed code first; nothing here is reachable from outside the assembly.
/// </summary>
internal static partial class LibSodium
{
    internal const string Name = "sodium";

    static LibSodium() => LibSodiumResolver.Register();

    [LibraryImport(Name)]
    internal static partial int sodium_init();

    [LibraryImport(Name)]
    internal static partial nint sodium_version_string();

    [LibraryImport(Name)]
    internal static partial void randombytes_buf(ref byte buf, nuint size);

    [LibraryImport(Name)]
    internal static partial int sodium_memcmp(ref byte b1, ref byte b2, nuint len);

    [LibraryImport(Name)]
    internal static partial void sodium_memzero(ref byte pnt, nuint len);

    [LibraryImport(Name)]
    internal static partial nint sodium_malloc(nuint size);

    [LibraryImport(Name)]
    internal static partial void sodium_free(nint ptr);

    [LibraryImport(Name)]
    internal static partial int sodium_mprotect_noaccess(nint ptr);

    [LibraryImport(Name)]
    internal static partial int sodium_mprotect_readonly(nint ptr);

    [LibraryImport(Name)]
    internal static partial int sodium_mprotect_readwrite(nint ptr);

    [LibraryImport(Name)]
    internal static partial int crypto_sign_ed25519_seed_keypair(ref byte pk, ref byte sk, ref byte seed);

    [LibraryImport(Name)]
    internal static partial int crypto_sign_ed25519_detached(
        ref byte sig, out ulong siglen, ref byte m, ulong mlen, ref byte sk);

    [LibraryImport(Name)]
    internal static partial int crypto_sign_ed25519_verify_detached(ref byte sig, ref byte m, ulong mlen, ref byte pk);

    [LibraryImport(Name)]
    internal static partial int crypto_scalarmult_curve25519(ref byte q, ref byte n, ref byte p);

    [LibraryImport(Name)]
    internal static partial int crypto_scalarmult_curve25519_base(ref byte q, ref byte n);

    [LibraryImport(Name)]
    internal static partial int crypto_box_seal(ref byte c, ref byte m, ulong mlen, ref byte pk);

    [LibraryImport(Name)]
    internal static partial int crypto_box_seal_open(ref byte m, ref byte c, ulong clen, ref byte pk, ref byte sk);

    [LibraryImport(Name)]
    internal static partial int crypto_aead_xchacha20poly1305_ietf_encrypt(
        ref byte c, out ulong clen, ref byte m, ulong mlen, ref byte ad, ulong adlen, nint nsec, ref byte npub, ref byte k);

    [LibraryImport(Name)]
    internal static partial int crypto_aead_xchacha20poly1305_ietf_decrypt(
        ref byte m, out ulong mlen, nint nsec, ref byte c, ulong clen, ref byte ad, ulong adlen, ref byte npub, ref byte k);

    [LibraryImport(Name)]
    internal static partial int crypto_aead_chacha20poly1305_ietf_encrypt(
        ref byte c, out ulong clen, ref byte m, ulong mlen, ref byte ad, ulong adlen, nint nsec, ref byte npub, ref byte k);

    [LibraryImport(Name)]
    internal static partial int crypto_aead_chacha20poly1305_ietf_decrypt(
        ref byte m, out ulong mlen, nint nsec, ref byte c, ulong clen, ref byte ad, ulong adlen, ref byte npub, ref byte k);

    [LibraryImport(Name)]
    internal static partial int crypto_stream_chacha20_ietf_xor(ref byte c, ref byte m, ulong mlen, ref byte n, ref byte k);

    [LibraryImport(Name)]
    internal static partial int crypto_pwhash(
        ref byte output, ulong outlen, ref byte passwd, ulong passwdlen, ref byte salt, ulong opslimit, nuint memlimit, int alg);

    [LibraryImport(Name)]
    internal static partial int crypto_pwhash_str(ref byte output, ref byte passwd, ulong passwdlen, ulong opslimit, nuint memlimit);

    [LibraryImport(Name)]
    internal static partial int crypto_pwhash_str_verify(ref byte str, ref byte passwd, ulong passwdlen);

    [LibraryImport(Name)]
    internal static partial int crypto_generichash(
        ref byte output, nuint outlen, ref byte input, ulong inlen, ref byte key, nuint keylen);
}
