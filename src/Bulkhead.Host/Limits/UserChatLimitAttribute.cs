namespace Bulkhead.Host.Limits;

/// <summary>Endpoint metadata: calls of this endpoint also count against the per-user chat limit (a model call each).</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = false)]
public sealed class UserChatLimitAttribute : Attribute;
