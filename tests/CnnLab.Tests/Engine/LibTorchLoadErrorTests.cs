using CnnLab.Engine;

namespace CnnLab.Tests.Engine;

public class LibTorchLoadErrorTests
{
    private const string Native = "/app/runtimes/linux-x64/native/libLibTorchSharp.so";

    /// <summary>What .NET says when glibc refuses the library: one line per path it tried (shortened).</summary>
    private static string LoaderMessage(string refusal) =>
        "Unable to load shared library 'LibTorchSharp' or one of its dependencies. In order to help diagnose loading problems, "
        + "consider using a tool like strace. If you're using glibc, consider setting the LD_DEBUG environment variable: \n"
        + "/app/runtimes/linux-x64/native/LibTorchSharp.so: cannot open shared object file: No such file or directory\n"
        + refusal + "\n"
        + "/app/libLibTorchSharp.so: cannot open shared object file: No such file or directory\n";

    [Fact]
    public void A_missing_GLIBCXX_3_4_32_names_the_version_the_libraries_and_the_fixes()
    {
        var message = LibTorchLoadError.Describe(
            LoaderMessage($"/nowhere/libstdc++.so.6: version `GLIBCXX_3.4.32' not found (required by {Native})"),
            Native, "Access to the path '/app/x.cnnlab-tmp' is denied.");

        Assert.Equal("libtorch did not load: /app/runtimes/linux-x64/native/libLibTorchSharp.so needs GLIBCXX_3.4.32, "
            + "which this system's /nowhere/libstdc++.so.6 lacks, and CnnLab could not mark that requirement weak "
            + "(Access to the path '/app/x.cnnlab-tmp' is denied). Fix: let this user write "
            + "/app/runtimes/linux-x64/native/libLibTorchSharp.so and run again, build the application with the "
            + "CnnLab package (its build step patches the output folder), or install a libstdc++ that has GLIBCXX_3.4.32.",
            message);
    }

    [Fact]
    public void Another_missing_version_says_only_GLIBCXX_3_4_32_can_be_skipped()
    {
        var message = LibTorchLoadError.Describe(
            LoaderMessage("/nowhere/libstdc++.so.6: version `GLIBCXX_3.4.30' not found (required by /app/libtorch_cpu.so)"),
            Native, null);

        Assert.Equal("libtorch did not load: /app/libtorch_cpu.so needs GLIBCXX_3.4.30, which this system's "
            + "/nowhere/libstdc++.so.6 lacks; only GLIBCXX_3.4.32 is safe to skip. Fix: install a libstdc++ that provides GLIBCXX_3.4.30.",
            message);
    }

    [Fact]
    public void The_newest_version_of_a_real_libstdcxx_is_named()
    {
        var libstdcxx = SystemLibstdcxx.Locate()!;
        var newest = SystemLibstdcxx.Newest(SystemLibstdcxx.Versions(libstdcxx));

        var message = LibTorchLoadError.MissingVersion(Native, "GLIBCXX_9.9", libstdcxx, null);

        Assert.Equal($"libtorch did not load: {Native} needs GLIBCXX_9.9, which this system's {libstdcxx} (newest {newest}) lacks; "
            + "only GLIBCXX_3.4.32 is safe to skip. Fix: install a libstdc++ that provides GLIBCXX_9.9.", message);
        Assert.StartsWith("GLIBCXX_3.4.", newest);
    }

    [Fact]
    public void Any_other_refusal_is_the_loaders_own_line()
    {
        var message = LibTorchLoadError.Describe(LoaderMessage("/app/libtorch_cpu.so: file too short"), Native, null);

        Assert.Equal("libtorch did not load: /app/libtorch_cpu.so: file too short (see README, \"Engine\").", message);
    }

    [Fact]
    public void Newest_compares_version_numbers_not_text()
    {
        Assert.Equal("GLIBCXX_3.4.30",
            SystemLibstdcxx.Newest(new[] { "libstdc++.so.6", "GLIBCXX_3.4.9", "GLIBCXX_3.4.30", "CXXABI_1.3.13", "GLIBCXX_3.4.4" }));
        Assert.Null(SystemLibstdcxx.Newest(new[] { "CXXABI_1.3" }));
    }
}
