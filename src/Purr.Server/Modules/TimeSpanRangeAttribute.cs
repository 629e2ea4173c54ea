using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Purr.Server.Modules;

/// <summary>
/// A TimeSpan setting between two bounds (invariant "hh:mm:ss"). DataAnnotations' own Range(typeof(TimeSpan), …)
/// converts through reflection, which native AOT cannot keep; this one parses the bounds itself.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class TimeSpanRangeAttribute(string minimum, string maximum) : ValidationAttribute
{
    public TimeSpan Minimum { get; } = TimeSpan.Parse(minimum, CultureInfo.InvariantCulture);

    public TimeSpan Maximum { get; } = TimeSpan.Parse(maximum, CultureInfo.InvariantCulture);

    public override bool IsValid(object? value) => value is not TimeSpan span || (span >= Minimum && span <= Maximum);

    public override string FormatErrorMessage(string name) =>
        string.Create(CultureInfo.InvariantCulture, $"The field {name} must be between {Minimum} and {Maximum}.");
}
