using Purr.Core.Rooms;

namespace Purr.Server.Rooms;

/// <summary>Every room field a client sets is bounded by a documented limit (PROTOCOL.md section 8).</summary>
internal static class RoomFieldLimits
{
    public const int MaxJoinSecretBytes = 64;

    /// <summary>Why the settings are refused, or null when they are within the limits.</summary>
    public static string? Check(RoomSettingsData settings, bool persistent, RoomOptions limits)
    {
        if (settings.MemberLimit > limits.MaxMembers)
        {
            return $"member_limit is at most {limits.MaxMembers}";
        }

        if (settings.Listed && !persistent)
        {
            return "only persistent rooms can be listed";
        }

        if (settings.Topic.Length > limits.MaxTopicBytes)
        {
            return $"the topic is at most {limits.MaxTopicBytes} bytes";
        }

        if (settings.ListingName.Length > limits.MaxListingNameLength)
        {
            return $"listing_name is at most {limits.MaxListingNameLength} characters";
        }

        return null;
    }

    /// <summary>A member's ML-KEM key is optional; when given it must pass FIPS 203's encapsulation-key checks.</summary>
    public static string? CheckKemKey(Google.Protobuf.ByteString key) =>
        key.IsEmpty || Crypto.MlKem768.IsValidEncapsulationKey(key.Span)
            ? null
            : $"member_kem_key must be empty or an ML-KEM-768 encapsulation key ({Crypto.MlKem768.EncapsulationKeyBytes} bytes, coefficients below q)";

    public static string? CheckProfile(int bytes, RoomOptions limits) =>
        bytes > limits.MaxMemberProfileBytes ? $"member_profile is at most {limits.MaxMemberProfileBytes} bytes" : null;

    public static string? CheckPassword(string password, RoomOptions limits) =>
        System.Text.Encoding.UTF8.GetByteCount(password) > limits.MaxPasswordBytes
            ? $"password is at most {limits.MaxPasswordBytes} bytes"
            : null;
}
