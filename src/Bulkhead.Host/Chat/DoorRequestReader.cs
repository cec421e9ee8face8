using System.Text.Json;
using Bulkhead.Host.Api;
using Microsoft.Extensions.AI;

namespace Bulkhead.Host.Chat;

/// <summary>
/// Reads an OpenAI chat completions body. Fields Bulkhead does not use (n, user, tools, ...) are ignored as
/// OpenAI-compatible servers do; nothing in the body can choose the tenant or the user.
/// </summary>
public static class DoorRequestReader
{
    public const int MaxMessages = 200;

    public static DoorRequest? Read(JsonElement body, Dictionary<string, string> errors)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = "The body must be a JSON object.";
            return null;
        }

        string? model = null;
        if (body.TryGetProperty("model", out var m) && m.ValueKind != JsonValueKind.Null)
        {
            model = m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            if (string.IsNullOrEmpty(model) || model.Length > 200)
            {
                errors["model"] = "model must be a model name.";
            }
        }

        float? temperature = null;
        if (body.TryGetProperty("temperature", out var t) && t.ValueKind != JsonValueKind.Null)
        {
            if (t.ValueKind == JsonValueKind.Number && t.TryGetDouble(out var value) && value is >= 0 and <= 2)
            {
                temperature = (float)value;
            }
            else
            {
                errors["temperature"] = "temperature must be a number from 0 to 2.";
            }
        }

        int? maxTokens = null;
        foreach (var name in new[] { "max_completion_tokens", "max_tokens" })
        {
            if (maxTokens is null && body.TryGetProperty(name, out var mt) && mt.ValueKind != JsonValueKind.Null)
            {
                if (mt.ValueKind == JsonValueKind.Number && mt.TryGetInt32(out var value) && value >= 1)
                {
                    maxTokens = value;
                }
                else
                {
                    errors[name] = $"{name} must be a whole number of at least 1.";
                }
            }
        }

        var stream = body.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        var includeUsage = body.TryGetProperty("stream_options", out var so) && so.ValueKind == JsonValueKind.Object
            && so.TryGetProperty("include_usage", out var iu) && iu.ValueKind == JsonValueKind.True;
        var messages = ReadMessages(body, errors);
        return errors.Count == 0 ? new DoorRequest(model, temperature, maxTokens, stream, includeUsage, messages) : null;
    }

    private static List<ChatMessage> ReadMessages(JsonElement body, Dictionary<string, string> errors)
    {
        var messages = new List<ChatMessage>();
        if (!body.TryGetProperty("messages", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() is 0 or > MaxMessages)
        {
            errors["messages"] = $"messages must be a list of 1 to {MaxMessages} messages.";
            return messages;
        }

        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            var field = $"messages[{index++}]";
            var role = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            var chatRole = role switch
            {
                "system" or "developer" => ChatRole.System,
                "user" => ChatRole.User,
                "assistant" => ChatRole.Assistant,
                _ => (ChatRole?)null,
            };
            var content = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("content", out var c) ? Text(c) : null;
            if (chatRole is null)
            {
                errors[field] = $"{field}.role must be system, developer, user or assistant.";
            }
            else if (content is null)
            {
                errors[field] = $"{field}.content must be a string or a list of text parts.";
            }
            else if (TextInput.Problem(content, ConversationsApi.MaxContent, required: false) is { } problem)
            {
                errors[field] = $"{field}.content {problem}.";
            }
            else
            {
                messages.Add(new ChatMessage(chatRole.Value, content));
            }
        }

        return messages;
    }

    private static string? Text(JsonElement content) => content.ValueKind switch
    {
        JsonValueKind.String => content.GetString(),
        JsonValueKind.Array when content.EnumerateArray().All(p => p.ValueKind == JsonValueKind.Object
            && p.TryGetProperty("type", out var type) && type.ValueEqualsText()
            && p.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
            => string.Concat(content.EnumerateArray().Select(p => p.GetProperty("text").GetString())),
        _ => null,
    };

    private static bool ValueEqualsText(this JsonElement type) => type.ValueKind == JsonValueKind.String && type.ValueEquals("text");
}
