namespace Purr.Protocol.Federation;

/// <summary>
/// Relayed connections, "tunnels" (PROTOCOL.md section 15.6): a Purr connection between a client and another server,
/// carried by the client's own server over its federation link, end to end encrypted with Noise_NX as the MQTT
/// transport is (same handshake and proof, another prologue).
/// </summary>
public static class TunnelFraming
{
    /// <summary>
    /// Bytes a tunnel's frame limit stays below the destination's own: the TunnelSend/TunnelData envelope and the AEAD
    /// tag around each inner frame, with room to spare. Tunnel sessions advertise max_frame_bytes less this.
    /// </summary>
    public const int FrameAllowance = 64;

    /// <summary>The Noise prologue of every tunnel: "purr/v1 tunnel" ‖ 0x00.</summary>
    public static ReadOnlySpan<byte> Prologue => "purr/v1 tunnel\0"u8;
}
