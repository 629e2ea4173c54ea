using System.Text.Json;
using System.Text.Json.Serialization;
using Purr.Core.Ids;

namespace Purr.Core.Rooms;

/// <summary>The one serialised form of a room, for stores that keep it as a blob.</summary>
public static class RoomStateJson
{
    private static readonly JsonSerializerOptions Options = new() { Converters = { new OpaqueIdConverter() } };

    public static byte[] Serialize(RoomState room) => JsonSerializer.SerializeToUtf8Bytes(room, Options);

    public static RoomState Deserialize(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize<RoomState>(json, Options) ?? throw new JsonException("empty room state");

    public static RoomState Clone(RoomState room) => Deserialize(Serialize(room));

    private sealed class OpaqueIdConverter : JsonConverter<OpaqueId>
    {
        public override OpaqueId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            OpaqueId.FromBytes(reader.GetBytesFromBase64());

        public override void Write(Utf8JsonWriter writer, OpaqueId value, JsonSerializerOptions options) =>
            writer.WriteBase64StringValue(value.ToBytes());
    }
}
