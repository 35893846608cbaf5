# frozen_string_literal: true

RSpec.describe "key_generator vectors from real Rails", kind: :vectors do
  vectors = Vectors.of_kind("key_generator").map(&:last)

  it "derives every key Rails derived (#{vectors.size} vectors)" do
    vectors.each do |v|
      digest = OpenSSL::Digest.const_get(v["digest"])
      generator = Railsess::KeyGenerator.new(v["secret"], iterations: v["iterations"], hash_digest_class: digest)
      expect(generator.generate_key(v["salt"], v["length"]).unpack1("H*")).to eq(v["key_hex"]), v.inspect
      cached = Railsess::CachingKeyGenerator.new(generator)
      expect(cached.generate_key(v["salt"], v["length"])).to equal(cached.generate_key(v["salt"], v["length"]))
    end
  end
end
