using Bulkhead.Host.Cli;

namespace Bulkhead.Tests.Hosting;

public sealed class CliArgumentsTests
{
    [Fact]
    public void a_command_missing_two_options_named_only_the_first()
    {
        var none = CliArguments.Parse(["create", "--plan", "basic"]);
        Assert.Equal("--slug and --name are required.", Assert.Throws<CliException>(() => none.RequireAll("slug", "name")).Message);

        var three = CliArguments.Parse(["create", "--name="]);
        Assert.Equal("--slug, --name and --plan are required.", Assert.Throws<CliException>(() => three.RequireAll("slug", "name", "plan")).Message);

        var one = CliArguments.Parse(["create", "--name", "Acme"]);
        Assert.Equal("--slug is required.", Assert.Throws<CliException>(() => one.RequireAll("slug", "name")).Message);

        Assert.Equal(["acme", "Acme"], CliArguments.Parse(["create", "--slug", "acme", "--name", "Acme"]).RequireAll("slug", "name"));
    }
}
