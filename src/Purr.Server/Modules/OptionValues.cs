using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;

namespace Purr.Server.Modules;

/// <summary>An options object's settable properties and their values, for purrctl limits.</summary>
public static class OptionValues
{
    public static Dictionary<string, object> Of<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(T options)
        where T : class
    {
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        Add(values, options);
        return values;
    }

    public static Dictionary<string, object> Of<
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T1,
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T2>(T1 first, T2 second)
        where T1 : class
        where T2 : class
    {
        var values = Of(first);
        Add(values, second);
        return values;
    }

    /// <summary>
    /// A report's value as JSON, without reflection-based serialization (purrd runs as native AOT): numbers, text,
    /// booleans, enums as their number (as before), lists and nested dictionaries; anything else as its text.
    /// </summary>
    public static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        string text => JsonValue.Create(text),
        bool flag => JsonValue.Create(flag),
        int number => JsonValue.Create(number),
        long number => JsonValue.Create(number),
        uint number => JsonValue.Create(number),
        ulong number => JsonValue.Create(number),
        double number => JsonValue.Create(number),
        Enum item => JsonValue.Create(Convert.ToInt64(item, CultureInfo.InvariantCulture)),
        TimeSpan span => JsonValue.Create(span.ToString("c", CultureInfo.InvariantCulture)),
        IReadOnlyDictionary<string, object> map => new JsonObject(map.Select(pair => KeyValuePair.Create(pair.Key, ToJson(pair.Value)))),
        System.Collections.IEnumerable list => new JsonArray([.. list.Cast<object?>().Select(ToJson)]),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };

    private static void Add<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(Dictionary<string, object> values, T options)
    {
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.CanRead))
        {
            values[property.Name] = property.GetValue(options) switch
            {
                TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
                null => "",
                var value => value,
            };
        }
    }
}
