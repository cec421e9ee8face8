using System.Text.Json.Serialization;
using Bulkhead.Host.Chat.Engine;
using Microsoft.Extensions.AI;

namespace Bulkhead.Host.Chat;

// The shapes of OpenAI's chat completions API, as its clients read them.
public sealed record CompletionResponse(string Id, string Object, long Created, string Model, IReadOnlyList<CompletionChoice> Choices, CompletionUsage Usage);

public sealed record CompletionChoice(int Index, CompletionMessage Message, string FinishReason);

public sealed record CompletionMessage(string Role, string Content);

public sealed record CompletionUsage(int PromptTokens, int CompletionTokens, int TotalTokens)
{
    public static CompletionUsage Of(ModelAnswer answer) => new(answer.PromptTokens, answer.CompletionTokens, answer.TotalTokens);
}

public sealed record CompletionChunk(string Id, string Object, long Created, string Model, IReadOnlyList<ChunkChoice> Choices)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CompletionUsage? Usage { get; init; }
}

public sealed record ChunkChoice(int Index, ChunkDelta Delta, string? FinishReason);

public sealed record ChunkDelta(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Role,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Content);

public sealed record ModelList(string Object, IReadOnlyList<ModelEntry> Data);

public sealed record ModelEntry(string Id, string Object, long Created, string OwnedBy);

/// <summary>A chat completions request after its checks; the tenant's configuration already applied.</summary>
public sealed record DoorRequest(string? Model, float? Temperature, int? MaxTokens, bool Stream, bool IncludeUsage, IReadOnlyList<ChatMessage> Messages);
