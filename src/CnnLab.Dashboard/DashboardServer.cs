using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CnnLab.Dashboard;

/// <summary>How the dashboard listens: the folders it serves, the address, and the token other hosts must give.</summary>
public sealed record DashboardOptions(IReadOnlyList<string> Folders, string Host = "127.0.0.1", int Port = 5000, string? Token = null)
{
    /// <summary>Whether <see cref="Host"/> is this machine only (no token needed there).</summary>
    public bool IsLocal => Host is "127.0.0.1" or "localhost" or "::1" or "[::1]";
}

/// <summary>
/// <c>cnnlab serve</c>: a read-only dashboard over results folders, on Kestrel. It reads what training writes and
/// writes nothing, takes no lock (study status reads the epoch logs and metrics), and answers every request about a
/// damaged or half-written file with "unreadable" for that run, never an error for the page. Safe by default: it
/// listens on localhost; any other host needs a token, checked on every request (a header, or a query parameter that
/// the page passes on); files are served only from inside the results folders; every response carries a
/// Content-Security-Policy that allows no inline script.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private const string Csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
                               "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private readonly WebApplication _app;

    private DashboardServer(WebApplication app, ResultsCatalog catalog)
    {
        _app = app;
        Catalog = catalog;
    }

    /// <summary>The folders served.</summary>
    public ResultsCatalog Catalog { get; }

    /// <summary>The address it listens on (with the port Kestrel chose when asked for port 0).</summary>
    public Uri Address => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>Starts listening; throws naming the cause when the address is taken or a remote host has no token.</summary>
    public static async Task<DashboardServer> StartAsync(DashboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsLocal && string.IsNullOrEmpty(options.Token))
        {
            throw new ArgumentException($"`host` {options.Host} makes the dashboard reachable from other machines, so it needs a " +
                "`token` (or CNNLAB_DASHBOARD_TOKEN) that every request must carry. Give one, or keep the default host 127.0.0.1.");
        }
        if (options.Folders.Count == 0)
        {
            throw new ArgumentException("`folders` must name at least one results folder.");
        }
        if (options.Folders.FirstOrDefault(f => !Directory.Exists(f)) is { } missing)
        {
            throw new ArgumentException($"`folders` must name existing folders; {missing} does not exist.");
        }
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{(options.Host.Contains(':', StringComparison.Ordinal) && !options.Host.StartsWith('[')
            ? $"[{options.Host}]" : options.Host)}:{options.Port}");
        var app = builder.Build();
        var catalog = new ResultsCatalog(options.Folders);
        var token = options.Token is { Length: > 0 } t ? Encoding.UTF8.GetBytes(t) : null;
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = Csp;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.CacheControl = "no-store";
            if (token is not null && !Authorized(context.Request, token))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsync("a token is required: add ?token=... to the address, or the header Authorization: " +
                    "Bearer ...\n");
                return;
            }
            await next(context);
        });
        DashboardApi.Map(app, catalog);
        await app.StartAsync();
        return new DashboardServer(app, catalog);
    }

    /// <summary>Waits until the server stops (Ctrl+C).</summary>
    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync(CancellationToken.None);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static bool Authorized(HttpRequest request, byte[] token)
    {
        var given = request.Headers.Authorization.ToString() is { } header && header.StartsWith("Bearer ", StringComparison.Ordinal)
            ? header["Bearer ".Length..]
            : request.Query["token"].ToString();
        // Compared in constant time: the answer's timing does not tell how much of a guess was right.
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), token);
    }
}
