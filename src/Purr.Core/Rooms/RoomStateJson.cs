using System.Text.Json;
using System.Text.Json.Serialization;
using Purr.Core.Ids;

namespace Purr.Core.Rooms;

/// <summary>The one serialised form of a room, for stores that keep it as a blob (source-generated: purrd runs as native AOT).</summary>
public static class RoomStateJson
{
    public static byte[] Serialize(RoomState room) => JsonSerializer.SerializeToUtf8Bytes(room, RoomStateJsonContext.Default.RoomState);

    public static RoomState Deserialize(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, RoomStateJsonContext.Default.RoomState) ?? throw new JsonException("empty room state");

    public static RoomState Clone(RoomState room) => Deserialize(Serialize(room));
}

/// <summary>An opaque id as base64 of its bytes, as the reflection-based serializer wrote it before.</summary>
internal sealed class OpaqueIdJsonConverter : JsonConverter<OpaqueId>
{
    public override OpaqueId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        OpaqueId.FromBytes(reader.GetBytesFromBase64());

    public override void Write(Utf8JsonWriter writer, OpaqueId value, JsonSerializerOptions options) =>
        writer.WriteBase64StringValue(value.ToBytes());
}

[JsonSourceGenerationOptions(Converters = [typeof(OpaqueIdJsonConverter)])]
[JsonSerializable(typeof(RoomState))]
internal sealed partial class RoomStateJsonContext : JsonSerializerContext;
