namespace CnnLab.Tests.Layers;

/// <summary>Plain C# versions of the layers, written from TensorFlow's definitions, to compare against.</summary>
internal static class ReferenceOps
{
    /// <summary>TensorFlow's SAME padding split: total = max((ceil(n/s)-1)*s + k - n, 0), the odd unit after.</summary>
    public static (int Before, int After) SamePad(int n, int k, int s)
    {
        var output = (n + s - 1) / s;
        var total = Math.Max((output - 1) * s + k - n, 0);
        return (total / 2, total - total / 2);
    }

    /// <summary>NCHW convolution (cross-correlation) with weights (F, C, KH, KW).</summary>
    public static float[,,,] Conv2D(float[,,,] x, float[,,,] w, float[] bias, int stride, bool same)
    {
        int n = x.GetLength(0), c = x.GetLength(1), h = x.GetLength(2), wd = x.GetLength(3);
        int f = w.GetLength(0), kh = w.GetLength(2), kw = w.GetLength(3);
        var (top, _) = same ? SamePad(h, kh, stride) : (0, 0);
        var (left, _) = same ? SamePad(wd, kw, stride) : (0, 0);
        var oh = same ? (h + stride - 1) / stride : (h - kh) / stride + 1;
        var ow = same ? (wd + stride - 1) / stride : (wd - kw) / stride + 1;
        var y = new float[n, f, oh, ow];
        for (var b = 0; b < n; b++)
        for (var o = 0; o < f; o++)
        for (var i = 0; i < oh; i++)
        for (var j = 0; j < ow; j++)
        {
            double sum = bias[o];
            for (var ch = 0; ch < c; ch++)
            for (var u = 0; u < kh; u++)
            for (var v = 0; v < kw; v++)
            {
                var r = i * stride + u - top;
                var col = j * stride + v - left;
                if (r >= 0 && r < h && col >= 0 && col < wd)
                {
                    sum += x[b, ch, r, col] * w[o, ch, u, v];
                }
            }
            y[b, o, i, j] = (float)sum;
        }
        return y;
    }

    /// <summary>Max or average pooling; SAME padding cells are ignored (never the max, not counted in the mean).</summary>
    public static float[,,,] Pool(float[,,,] x, int pool, int stride, bool same, bool max)
    {
        int n = x.GetLength(0), c = x.GetLength(1), h = x.GetLength(2), wd = x.GetLength(3);
        var (top, _) = same ? SamePad(h, pool, stride) : (0, 0);
        var (left, _) = same ? SamePad(wd, pool, stride) : (0, 0);
        var oh = same ? (h + stride - 1) / stride : (h - pool) / stride + 1;
        var ow = same ? (wd + stride - 1) / stride : (wd - pool) / stride + 1;
        var y = new float[n, c, oh, ow];
        for (var b = 0; b < n; b++)
        for (var ch = 0; ch < c; ch++)
        for (var i = 0; i < oh; i++)
        for (var j = 0; j < ow; j++)
        {
            var best = float.NegativeInfinity;
            double sum = 0;
            var count = 0;
            for (var u = 0; u < pool; u++)
            for (var v = 0; v < pool; v++)
            {
                var r = i * stride + u - top;
                var col = j * stride + v - left;
                if (r >= 0 && r < h && col >= 0 && col < wd)
                {
                    best = Math.Max(best, x[b, ch, r, col]);
                    sum += x[b, ch, r, col];
                    count++;
                }
            }
            y[b, ch, i, j] = max ? best : (float)(sum / count);
        }
        return y;
    }

    public static float[,,,] Random4(int a, int b, int c, int d, int seed)
    {
        var random = new Random(seed);
        var x = new float[a, b, c, d];
        for (var i = 0; i < a; i++)
        for (var j = 0; j < b; j++)
        for (var k = 0; k < c; k++)
        for (var l = 0; l < d; l++)
        {
            x[i, j, k, l] = (float)(random.NextDouble() * 2 - 1);
        }
        return x;
    }

    public static float[] Flatten(float[,,,] x) => x.Cast<float>().ToArray();
}
