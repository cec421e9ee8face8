namespace Bulkhead.Host.Api;

/// <summary>Checks free text before it reaches PostgreSQL, which stores neither NUL nor half a surrogate pair.</summary>
public static class TextInput
{
    public static string? Problem(string? value, int maxLength, bool required)
    {
        if (value is null)
        {
            return required ? "is required" : null;
        }

        if (required && string.IsNullOrWhiteSpace(value))
        {
            return "must not be empty";
        }

        if (value.Length > maxLength)
        {
            return $"must be at most {maxLength} characters";
        }

        if (value.Contains('\0', StringComparison.Ordinal))
        {
            return "must not contain NUL characters";
        }

        return IsWellFormed(value) ? null : "must be valid Unicode (no unpaired surrogates)";
    }

    private static bool IsWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return false;
            }
        }

        return true;
    }
}
