# frozen_string_literal: true

require_relative "../support/compat_helpers"

# Smoke test for the native code's handling of Ruby objects: round trips while the GC runs at
# every allocation (a minor GC each time, which frees the young temporaries the native code is
# most likely to hold on to), plus a few under full GC.stress and around a heap compaction.
# A use-after-free shows up as a crash, a wrong value or a failed decryption.
RSpec.describe "Native code under GC stress", kind: :stress do
  include CompatHelpers

  # GC.stress flags: 0x01 = minor GC only (fast enough for hundreds of iterations).
  def under_gc_stress(flags)
    GC.start # begin with as little garbage as possible: each stressed GC is then cheaper
    GC.stress = flags
    yield
  ensure
    GC.stress = false
  end

  def codecs
    null = Railsess::MessageEncryptor::NullSerializer
    {
      gcm: Railsess::MessageEncryptor.new("g" * 32, cipher: "aes-256-gcm", serializer: null),
      cbc: Railsess::MessageEncryptor.new("c" * 32, "s" * 64, cipher: "aes-256-cbc", serializer: null),
      verifier: Railsess::MessageVerifier.new("v" * 64, digest: "SHA256", serializer: null)
    }
  end

  def round_trip(codecs, index)
    value = "value #{index} #{'ü' * (index % 7)}" # a fresh String each time
    purpose = index.even? ? "purpose #{index}" : nil
    gcm = codecs[:gcm].decrypt_and_verify(codecs[:gcm].encrypt_and_sign(value, purpose: purpose), purpose: purpose)
    cbc = codecs[:cbc].decrypt_and_verify(codecs[:cbc].encrypt_and_sign(value.dup), purpose: nil)
    signed = codecs[:verifier].verified(codecs[:verifier].generate(value, purpose: purpose), purpose: purpose)
    [gcm, cbc, signed].map { |result| result&.dup&.force_encoding(Encoding::UTF_8) } == [value] * 3
  end

  it "round-trips a few hundred messages with a GC at every allocation" do
    failures = under_gc_stress(0x01) do
      all = codecs
      (1..150).reject { |i| round_trip(all, i) } # 450 round trips: GCM, CBC and verifier
    end
    expect(failures).to eq([])
  end

  it "builds objects and derives keys under full GC.stress" do
    ok = under_gc_stress(true) do
      key = Railsess::CachingKeyGenerator.new(Railsess::KeyGenerator.new("secret base", iterations: 2))
                                         .generate_key("authenticated encrypted cookie", 32)
      encryptor = Railsess::MessageEncryptor.new(key, cipher: "aes-256-gcm",
                                                      serializer: Railsess::MessageEncryptor::NullSerializer)
      Array.new(2) { |i| encryptor.decrypt_and_verify(encryptor.encrypt_and_sign("full stress #{i}")) }
    end
    expect(ok).to eq(["full stress 0", "full stress 1"])
  end

  it "keeps working after a heap compaction" do
    skip "GC.compact is not available" unless GC.respond_to?(:compact)

    all = codecs
    messages = Array.new(50) { |i| all[:gcm].encrypt_and_sign("before compaction #{i}") }
    GC.compact
    expect(messages.map { |message| all[:gcm].decrypt_and_verify(message) })
      .to eq(Array.new(50) { |i| "before compaction #{i}" })
    expect((1..50).all? { |i| round_trip(all, i) }).to be(true)
  end
end
