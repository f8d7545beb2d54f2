using System.Security.Cryptography;
using Huntaze.Functions.Privacy.Subjects;

namespace Huntaze.UnitTests.Privacy;

public sealed class SubjectCipherTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);
    private const string KeyId = "k0123456789abcdef0123456789abcdef";

    [Fact]
    public void Seal_SameIdTwice_SameTokenThatOpensToTheId()
    {
        var token = SubjectCipher.Seal(Key, KeyId, "u1");
        var (whole, keyId, payload) = Assert.Single(SubjectCipher.Tokens("actor " + token + " acted"));

        Assert.Equal(token, SubjectCipher.Seal(Key, KeyId, "u1"));
        Assert.Equal(token, whole);
        Assert.Equal(KeyId, keyId);
        Assert.True(SubjectCipher.TryOpen(Key, KeyId, payload, out var opened));
        Assert.Equal("u1", opened);
        Assert.DoesNotContain("u1", token, StringComparison.Ordinal);
    }

    [Fact]
    public void TryOpen_OtherKeyOrTamperedPayload_Fails()
    {
        var (_, _, payload) = SubjectCipher.Tokens(SubjectCipher.Seal(Key, KeyId, "u1")).Single();
        var tampered = (payload[0] == 'A' ? "B" : "A") + payload[1..];

        Assert.False(SubjectCipher.TryOpen(RandomNumberGenerator.GetBytes(32), KeyId, payload, out _));
        Assert.False(SubjectCipher.TryOpen(Key, "k" + new string('f', 32), payload, out _));
        Assert.False(SubjectCipher.TryOpen(Key, KeyId, tampered, out _));
    }

    [Theory]
    [InlineData("[\"u1\",\"u10\"]", "[\"X\",\"u10\"]")]
    [InlineData("/api/admin/onboarding/users/u1", "/api/admin/onboarding/users/X")]
    [InlineData("?actor=u1&target=user:u1", "?actor=X&target=user:X")]
    [InlineData("u10 u1.x xu1 u1-a", "u10 u1.x xu1 u1-a")]
    public void Replace_WholeIdsOnly_NeighboursUntouched(string text, string expected) =>
        Assert.Equal(expected, SubjectCipher.Replace(text, "u1", "X"));

    [Fact]
    public void Mentions_PrefixNeighbour_IsNotAMention()
    {
        Assert.False(SubjectCipher.Mentions("owner u10", "u1"));
        Assert.True(SubjectCipher.Mentions("owner u1", "u1"));
    }
}
