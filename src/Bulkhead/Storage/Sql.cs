using Npgsql;

namespace Bulkhead.Storage;

/// <summary>Builds batch commands with positional parameters ($1, $2, ...); values are never spliced into SQL.</summary>
public static class Sql
{
    public static NpgsqlBatchCommand Command(string sql, params object?[] args)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var arg in args)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = arg ?? DBNull.Value });
        }

        return command;
    }
}
