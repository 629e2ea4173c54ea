namespace Purr.Client.EndToEnd;

/// <summary>A card that cannot be used, with the reason in words a user understands.</summary>
public sealed class CardException(CardProblem problem, string message) : PurrClientException(message)
{
    public CardProblem Problem { get; } = problem;
}

public enum CardProblem
{
    Malformed,
    Tampered,
    Expired,
    AlreadyUsed,
    UnsupportedVersion,
}
