namespace CnnLab.Tests.Cli;

/// <summary><c>cnnlab doctor</c> in a fresh process: what the engine chose, and the self-test's figures behind it.</summary>
public class DoctorCliTests
{
    [Fact]
    public void Doctor_prints_the_cpu_versions_wait_policy_self_test_and_path()
    {
        var (code, output, error) = CliRunner.RunWithEnvironment(new Dictionary<string, string> { ["OMP_WAIT_POLICY"] = "PASSIVE" },
            "doctor", "--threads", "1");

        Assert.Equal((0, ""), (code, error));
        var lines = output.Split('\n');
        Assert.StartsWith("CPU                   ", lines[0], StringComparison.Ordinal);
        Assert.Contains("libtorch              2.10.0", output, StringComparison.Ordinal);
        Assert.Contains("threads               1 intra-op, fixed: the same seed gives the same results whatever else runs " +
            "(CNNLAB_ADAPT_THREADS=1 lowers them under load, trading that for speed)", output, StringComparison.Ordinal);
        // The user's choice, as libgomp sees it: CnnLab no longer sets one.
        Assert.Contains("OpenMP wait policy    PASSIVE", output, StringComparison.Ordinal);
        Assert.Matches(@"convolution self-test (passed|failed): largest relative error \d\.\de[-+]\d\d \(conv", output);
        Assert.Contains("conv 20->20 3x3 at 28x28 input gradient", output, StringComparison.Ordinal);
        Assert.Matches("convolution path      (oneDNN on channels-last tensors|libtorch's native kernels on NCHW tensors)", output);
    }

    [Fact]
    public void CNNLAB_ONEDNN_0_keeps_the_native_path_without_testing()
    {
        var (code, output, _) = CliRunner.RunWithEnvironment(new Dictionary<string, string> { ["CNNLAB_ONEDNN"] = "0",
            ["CNNLAB_ADAPT_THREADS"] = "1" }, "doctor", "--threads", "1");

        Assert.Equal(0, code);
        Assert.Contains("threads               1 intra-op, fewer while other processes keep cores busy (now 1; CNNLAB_ADAPT_THREADS=1): " +
            "faster under load, but results then depend on the load (each epoch's threads are recorded)", output, StringComparison.Ordinal);
        Assert.Contains("convolution self-test not run (oneDNN not asked for: CNNLAB_ONEDNN=0, or not Linux)", output,
            StringComparison.Ordinal);
        Assert.Contains("convolution path      libtorch's native kernels on NCHW tensors", output, StringComparison.Ordinal);
    }
}
