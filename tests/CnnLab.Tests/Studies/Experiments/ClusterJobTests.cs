using CnnLab.Studies.Experiments;
using CnnLab.Studies.Experiments.Cluster;
using k8s;
using k8s.Models;

namespace CnnLab.Tests.Studies.Experiments;

/// <summary>The Slurm scripts and the Kubernetes manifests a study is handed over with.</summary>
public sealed class ClusterJobTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-cluster-").FullName;
    private readonly StudyDefinition _study = StudyParser.Parse("""
        name: Notebook (2 runs)
        seeds: 3
        runs:
          - {name: three blocks, model: m3-leaky}
          - {name: two blocks, model: m2-leaky}
        """);

    public void Dispose() => Directory.Delete(_folder, true);

    private WorkerCommand Worker(int? epochs = 1) =>
        new(new[] { "/usr/bin/dotnet", "/opt/cnnlab/CnnLab.Cli.dll" }, "/home/me/my study.yaml", _folder, epochs, 2, null);

    [Fact]
    public void The_Slurm_array_has_one_element_per_task_and_passes_the_overrides_and_cpus_on()
    {
        var (studyScript, reportScript) = SlurmJob.Write(_study, Worker(), new SlurmSettings("short", 4, 2, "01:30:00"));

        Assert.Equal(Path.Combine(_folder, "slurm", "study.sbatch"), studyScript);
        Assert.Equal($$"""
            #!/bin/bash
            # Written by cnnlab study --slurm.
            #SBATCH --job-name=cnnlab-notebook-2-runs
            #SBATCH --cpus-per-task=4
            #SBATCH --output={{_folder}}/slurm/logs/task-%a.out
            #SBATCH --partition=short
            #SBATCH --time=01:30:00
            #SBATCH --array=0-5%2
            #SBATCH --requeue
            # A requeued element appends to its log and continues its run-seed from the last completed epoch.
            #SBATCH --open-mode=append

            echo "task ${SLURM_ARRAY_TASK_ID} on $(hostname), job ${SLURM_JOB_ID}, restart ${SLURM_RESTART_COUNT:-0}"

            """ + $"exec /usr/bin/dotnet /opt/cnnlab/CnnLab.Cli.dll study '/home/me/my study.yaml' --out {_folder} " +
            "--task env --threads 4 --epochs 1 --seeds 2\n", File.ReadAllText(studyScript));
        Assert.EndsWith($"exec /usr/bin/dotnet /opt/cnnlab/CnnLab.Cli.dll study report {_folder}\n", File.ReadAllText(reportScript));
        Assert.Contains("#SBATCH --job-name=cnnlab-notebook-2-runs-report\n", File.ReadAllText(reportScript));
        Assert.Contains($"#SBATCH --output={_folder}/slurm/logs/report.out\n", File.ReadAllText(reportScript));
    }

    [Theory]
    [InlineData(0, null, null, null, "`cpusPerTask` must be at least 1; received 0.")]
    [InlineData(1, 0, null, null, "`maxParallel` must be at least 1; received 0.")]
    [InlineData(1, null, "a;rm -rf /", null,
        "`partition` \"a;rm -rf /\" is not a partition name (letters, digits, '_', '-', '.'; several joined by commas).")]
    [InlineData(1, null, null, "2 hours",
        "`time` \"2 hours\" is not a Slurm time limit. Use minutes (90), MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS.")]
    public void Bad_Slurm_settings_are_refused_before_a_script_is_written(int cpus, int? maxParallel, string? partition, string? time,
        string message)
    {
        Assert.Equal(message, Assert.Throws<ArgumentException>(() =>
            SlurmJob.Write(_study, Worker(), new SlurmSettings(partition, cpus, maxParallel, time))).Message);
        Assert.False(Directory.Exists(Path.Combine(_folder, "slurm")));
    }

    [Theory]
    [InlineData("4242\n", "4242")]
    [InlineData("4242;cluster\n", "4242")]
    public void Job_ids_from_sbatch_parsable(string output, string id) => Assert.Equal(id, SlurmJob.ParseJobId(output));

    [Fact]
    public void A_job_id_that_is_not_one_is_an_error() =>
        Assert.Equal("sbatch printed \"Submitted batch job 1\" where a job id was expected.",
            Assert.Throws<InvalidOperationException>(() => SlurmJob.ParseJobId("Submitted batch job 1")).Message);

    [Fact]
    public void The_Kubernetes_manifest_is_an_Indexed_Job_the_official_client_reads()
    {
        var (studyPath, reportPath) = KubernetesJob.Write(_study, Worker(epochs: null),
            new KubernetesSettings("registry.example/cnnlab:0.1", 4, "cnnlab-results", 2));

        var text = File.ReadAllText(studyPath);
        var job = KubernetesYaml.Deserialize<V1Job>(text);

        // The client reads a plain 2 into a string list; the API server does not: numbers in args must be quoted.
        Assert.Contains("        - --threads\n        - \"2\"\n", text);

        Assert.Equal(("batch/v1", "Job", "cnnlab-notebook-2-runs"), (job.ApiVersion, job.Kind, job.Metadata.Name));
        Assert.Equal(("Indexed", 6, 4, 3),
            (job.Spec.CompletionMode, job.Spec.Completions, job.Spec.Parallelism, job.Spec.BackoffLimitPerIndex));
        var pod = job.Spec.Template.Spec;
        Assert.Equal("Never", pod.RestartPolicy);
        var container = Assert.Single(pod.Containers);
        Assert.Equal("registry.example/cnnlab:0.1", container.Image);
        Assert.Equal(new[] { "cnnlab" }, container.Command);
        // The pod runs the results folder's copy of the study file: nothing else from this machine is needed.
        Assert.Equal(new[] { "study", Path.Combine(_folder, "study.yaml"), "--out", _folder, "--task", "env", "--threads", "2", "--seeds",
            "2" }, container.Args);
        Assert.Equal("2", container.Resources.Requests["cpu"].ToString());
        Assert.Equal("2", container.Resources.Limits["cpu"].ToString());
        var mount = Assert.Single(container.VolumeMounts);
        var volume = Assert.Single(pod.Volumes);
        Assert.Equal((mount.Name, _folder), (volume.Name, mount.MountPath));
        Assert.Equal("cnnlab-results", volume.PersistentVolumeClaim.ClaimName);

        var report = KubernetesYaml.Deserialize<V1Job>(File.ReadAllText(reportPath));
        Assert.Equal(("cnnlab-notebook-2-runs-report", 1, null),
            (report.Metadata.Name, report.Spec.Completions, report.Spec.CompletionMode));
        Assert.Equal(new[] { "study", "report", _folder }, Assert.Single(report.Spec.Template.Spec.Containers).Args);
    }

    [Fact]
    public void A_search_is_an_Indexed_Job_of_worker_pods_on_one_journal_and_a_verdict_job()
    {
        var worker = Worker(epochs: 4);
        var (jobPath, reportPath) = KubernetesJob.Write(_study, worker, new KubernetesSettings("cnnlab", 3, "results", 2), 3,
            w => w.SearchWorkerArguments(2), w => w.SearchConcludeArguments(2));
        var (arrayPath, verdictPath) = SlurmJob.Write("a search", 3, worker, worker.SearchWorkerArguments(1),
            worker.SearchConcludeArguments(1), new SlurmSettings(null, 1, null, null));

        var job = KubernetesYaml.Deserialize<V1Job>(File.ReadAllText(jobPath));
        var copy = Path.Combine(_folder, "study.yaml");
        Assert.Equal(("Indexed", 3, 3), (job.Spec.CompletionMode, job.Spec.Completions, job.Spec.Parallelism));
        Assert.Equal(new[] { "search", copy, "--out", _folder, "--worker", "--threads", "2", "--epochs", "4" },
            Assert.Single(job.Spec.Template.Spec.Containers).Args);
        Assert.Equal(new[] { "search", copy, "--out", _folder, "--resume", "--threads", "2", "--epochs", "4" },
            Assert.Single(KubernetesYaml.Deserialize<V1Job>(File.ReadAllText(reportPath)).Spec.Template.Spec.Containers).Args);
        Assert.Contains("#SBATCH --array=0-2\n", File.ReadAllText(arrayPath));
        Assert.EndsWith(" --worker --threads 1 --epochs 4\n", File.ReadAllText(arrayPath));
        Assert.EndsWith(" --resume --threads 1 --epochs 4\n", File.ReadAllText(verdictPath));
    }

    [Fact]
    public void Parallelism_is_at_most_the_task_count()
    {
        var (studyPath, _) = KubernetesJob.Write(_study, Worker(), new KubernetesSettings("cnnlab", 100, "results", 1));

        Assert.Equal(6, KubernetesYaml.Deserialize<V1Job>(File.ReadAllText(studyPath)).Spec.Parallelism);
    }

    [Theory]
    [InlineData("Étude ü 猫", "cnnlab-etude-u-")]
    [InlineData("猫", "cnnlab-")]
    [InlineData("Notebook (2 runs)", "cnnlab-notebook-2-runs")]
    public void A_Kubernetes_Job_name_is_a_lowercase_ASCII_DNS_label_whatever_the_study_is_called(string study, string prefix)
    {
        var name = KubernetesJob.Name(StudyParser.Parse($"name: {study}\nruns: [{{name: a, model: m2-leaky}}]\n"));

        Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", name);
        Assert.StartsWith(prefix, name);
        Assert.InRange(name.Length, 1, 55);
    }

    [Fact]
    public void Names_that_lose_characters_stay_distinct()
    {
        static string Name(string study) => KubernetesJob.Name(StudyParser.Parse($"name: {study}\nruns: [{{name: a, model: m2-leaky}}]\n"));

        Assert.NotEqual(Name("猫"), Name("犬"));
        Assert.Equal(Name("猫"), Name("猫"));
    }

    [Theory]
    [InlineData("results with space")]
    [InlineData("results\nwith\nlines")]
    public void A_results_folder_a_SBATCH_line_cannot_hold_is_refused_before_any_script_is_written(string folderName)
    {
        var results = Path.Combine(_folder, folderName);
        var worker = new WorkerCommand(new[] { "/usr/bin/cnnlab" }, "/home/me/study.yaml", results, 1, 2, null);

        var message =
            Assert.Throws<ArgumentException>(() => SlurmJob.Write(_study, worker, new SlurmSettings(null, 2, null, null))).Message;

        Assert.Equal($"The results folder \"{results}\" holds a space or a control character, which a #SBATCH line cannot carry " +
                     "(sbatch rejects the directive, and a line break would start a line of its own). Choose a folder whose path has " +
                     "neither, or a symbolic link to it that has neither.", message);
        Assert.False(Directory.Exists(Path.Combine(results, "slurm")));
    }
}
