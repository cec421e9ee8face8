namespace Bulkhead.Host.Limits;

/// <summary>Marks an endpoint whose calls also count against the per-user chat limit (besides the chat routes in configuration).</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = false)]
public sealed class UserChatLimitAttribute : Attribute;
