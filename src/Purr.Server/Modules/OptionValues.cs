using System.Reflection;

namespace Purr.Server.Modules;

/// <summary>An options object's settable properties and their values, for purrctl limits.</summary>
public static class OptionValues
{
    public static Dictionary<string, object> Of(params object[] options)
    {
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var option in options)
        {
            foreach (var property in option.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.CanRead))
            {
                values[property.Name] = property.GetValue(option) switch
                {
                    TimeSpan span => span.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
                    null => "",
                    var value => value,
                };
            }
        }

        return values;
    }
}
