using CnnLab.Models.Saving;

namespace CnnLab.Tests.Models.Saving;

/// <summary>Bounded byte mutations of real Keras files: each loads, or fails with one InvalidDataException naming the file.</summary>
public sealed class KerasFileFuzzTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-keras-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    [Theory]
    [InlineData("sequential.h5")]
    [InlineData("sequential.keras")]
    public void Mutated_files_load_or_say_what_is_wrong(string fixture)
    {
        var original = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "keras", fixture));
        var random = new Random(11);
        for (var i = 0; i < 60; i++)
        {
            var bytes = (byte[])original.Clone();
            for (var m = 0; m < 1 + random.Next(8); m++)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }
            if (i % 10 == 9)
            {
                Array.Resize(ref bytes, random.Next(bytes.Length));
            }
            var path = Path.Combine(_folder, $"{i}{Path.GetExtension(fixture)}");
            File.WriteAllBytes(path, bytes);
            try
            {
                KerasModelFile.Load(path).Dispose();
            }
            catch (InvalidDataException e)
            {
                Assert.StartsWith(path, e.Message);
                Assert.DoesNotContain("\n", e.Message.TrimEnd());
            }
        }
    }
}
