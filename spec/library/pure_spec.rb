# frozen_string_literal: true

require "fileutils"
require "open3"
require "rbconfig"
require "tmpdir"
require "railsess/pure"

# lib/railsess/pure.rb (with lib/railsess/pure/) is Railsess::Native in Ruby, used when the compiled
# extension cannot be loaded (or with RAILSESS_PURE=1): the byte format ported on OpenSSL, the
# fast paths declining to Ruby's path. Here both implementations are compared by what railsess'
# classes do with them (the same inputs in a process of each kind: values, String encodings,
# exception classes and messages), and the byte format directly (the messages each side writes,
# each reading the other's, the same errors for bad messages). The whole suite also runs on the pure
# implementation (`RAILSESS_PURE=1 rspec`).
RSpec.describe "Railsess::Native::Pure, the pure-Ruby implementation", kind: :differential do
  let(:pure) { Railsess::Native::Pure }
  let(:lib) { File.expand_path("../../lib", __dir__) }

  def extension_built?
    !Dir[File.join(lib, "railsess", "{,#{RUBY_VERSION[/\A\d+\.\d+/]}/}railsess.{so,bundle}")].empty?
  end

  # --- by what railsess' classes do: the same script in a native and in a pure process ----------

  # Runs each case (see CASES_SCRIPT) with ActiveSupport loaded or not as in this process; the
  # outcomes, Marshal-dumped one by one (so Strings' encodings are compared too), and what the
  # process wrote to stderr (warnings, e.g. Rack 3's on non-ASCII Cookie headers, must match too).
  def run_cases(implementation, cases)
    Dir.mktmpdir do |dir|
      input = File.join(dir, "cases")
      File.binwrite(input, Marshal.dump(cases))
      env = { "RAILSESS_PURE" => implementation == :pure ? "1" : "0" }
      _, err, status = Open3.capture3(env, RbConfig.ruby, "-I#{lib}", "-e", cases_script, input)
      raise "#{implementation}: #{err}" unless status.success?

      [Marshal.load(File.binread(input)), err] # rubocop:disable Security/MarshalLoad -- written by the script above
    end
  end

  let(:cases_script) do
    <<~'RUBY'
      if ENV["RAILSESS_WITHOUT_ACTIVE_SUPPORT"].to_s.empty?
        %w[active_support active_support/json active_support/key_generator active_support/message_encryptor
           active_support/message_verifier].each { |feature| require feature }
      end
      require "json"
      require "railsess"
      require "railsess/rack_utils"

      serializers = { "JSON" => JSON, "Marshal" => Marshal, "Railsess::JSON" => Railsess::JSON }
      # One codec per settings (the metadata form is a process-wide switch, set for every case).
      codecs = Hash.new do |cache, key|
        kind, secret, sign_secret, options, rotations = key
        options = options.except(:metadata)
        options[:serializer] = serializers.fetch(options[:serializer], options[:serializer])
        codec = if kind == :encryptor
                  Railsess::MessageEncryptor.new(secret, sign_secret, **options)
                else
                  Railsess::MessageVerifier.new(secret, **options)
                end
        rotations.each { |rotation| codec.rotate(*rotation) }
        cache[key] = codec
      end
      path = ARGV.fetch(0)
      outcomes = Marshal.load(File.binread(path)).map do |(operation, settings, input, options)|
        Marshal.dump(
          begin
            result = case operation
                     when :key
                       secret, iterations, digest = settings
                       generator = Railsess::KeyGenerator.new(secret, iterations: iterations, hash_digest_class: digest)
                       generator.generate_key(*input)
                     when :encode then Railsess::JSON.encode(input)
                     when :decode then Railsess::JSON.decode(input)
                     when :escape then Railsess::RackUtils::COOKIES.escape(input)
                     when :unescape then Railsess::RackUtils::COOKIES.unescape(input)
                     when :cookies then Railsess::RackUtils::COOKIES.parse_cookies_header(input)
                     else
                       Railsess.use_message_serializer_for_metadata = settings[3][:metadata]
                       codecs[settings].public_send(operation, input, **options)
                     end
            [:ok, result]
          rescue StandardError => e
            [:raised, e.class.name, e.message]
          end
        )
      end
      File.binwrite(path, Marshal.dump(outcomes))
    RUBY
  end

  # The cases where the two processes' outcomes differ.
  def differences(cases)
    native, native_err = run_cases(:native, cases)
    ported, ported_err = run_cases(:pure, cases)
    warnings = native_err == ported_err ? [] : [{ stderr: { native: native_err, pure: ported_err } }]
    warnings + cases.zip(native, ported).filter_map do |kase, ours, theirs|
      next if ours == theirs

      ours, theirs = [ours, theirs].map { |dumped| Marshal.load(dumped) } # rubocop:disable Security/MarshalLoad
      { case: kase, native: ours, pure: theirs }
    end
  end

  def outcome_value(dumped)
    status, value = Marshal.load(dumped) # rubocop:disable Security/MarshalLoad
    status == :ok ? value : raise("#{status}: #{value}")
  end

  let(:future) { Time.utc(2999, 1, 2, 3, 4, 5.678r) }
  let(:past) { Time.utc(2001, 1, 2, 3, 4, 5.678r) }
  let(:values) { [{ "user" => [1, "<a&b>\u2028é"], "n" => nil }, "x", nil] }
  # [write options, read options]
  let(:metadata) do
    [[{}, {}], [{ purpose: "p" }, { purpose: "p" }], [{ purpose: "p" }, { purpose: "q" }], [{ purpose: "p" }, {}],
     [{}, { purpose: "p" }], [{ purpose: :sym, expires_at: future }, { purpose: "sym" }],
     [{ purpose: "p", expires_at: past }, { purpose: "p" }], [{ expires_at: future }, {}]]
  end

  # [kind, secret, sign secret, options, rotations] for every Rails level, cipher, digest and
  # metadata form railsess runs natively.
  def settings(kind)
    %w[6.1 7.0 7.1 7.2 8.1].product([false, true], [false, true]).flat_map do |version, url_safe, in_serializer|
      next [] if (url_safe || in_serializer) && version < "7.1"

      options = { rails_version: version, url_safe: url_safe, metadata: in_serializer }
      if kind == :encryptor
        [[:encryptor, "k" * 32, nil, options.merge(cipher: "aes-256-gcm", serializer: "JSON"), []],
         [:encryptor, "k" * 32, "s" * 64, options.merge(cipher: "aes-256-cbc", serializer: "Marshal"), []],
         [:encryptor, "k" * 32, nil,
          options.merge(cipher: "aes-256-cbc", digest: "SHA256", serializer: "Railsess::JSON"), [["o" * 32, "t" * 64]]]]
      else
        [[:verifier, "s" * 64, nil, options.merge(serializer: "JSON"), []],
         [:verifier, "s", nil, options.merge(digest: "SHA512", serializer: "Railsess::JSON"), [["o" * 64]]]]
      end
    end
  end

  # A message's variants: cut, extended, with fields moved, a byte changed here and there.
  def mutations(message)
    parts = message.split("--")
    variants = [message, "#{message}--", "#{message}--Zm9v", "--#{message}", message[0..-2], message[1..],
                message.tr("+/", "-_"), message.tr("-_", "+/"), parts.reverse.join("--"), parts.first(2).join("--"),
                parts.drop(1).join("--"), parts.join("----"), message.delete("="), message.encode("UTF-16LE")]
    variants += [0, message.size / 3, message.size / 2, message.size - 3].map do |at|
      message.dup.tap { |m| m[at] = m[at] == "A" ? "B" : "A" }
    end
    variants.uniq
  end

  def garbage
    ["", "--", "a--b--c", "YQ==--YQ==--YQ==", "x" * 60, "\xFF--\xFF", nil, 42]
  end

  # [setting, value, write options, read options] for every setting, value and metadata shape.
  def shapes(kind)
    settings(kind).product(values, metadata).map { |setting, value, (write, read)| [setting, value, write, read] }
  end

  # The messages each process writes for `shapes`.
  def written(operation, shapes)
    cases = shapes.map { |setting, value, write, _| [operation, setting, value, write] }
    %i[native pure].to_h { |impl| [impl, run_cases(impl, cases).first.map { |dumped| outcome_value(dumped) }] }
  end

  # Reading each message with its shape's read options; every eleventh also mutated, and garbage.
  def reads(operations, shapes, messages, mutate: true)
    shapes.zip(messages).each_with_index.flat_map do |((setting, _, _, read), message), index|
      inputs = mutate && (index % 11).zero? ? mutations(message) + garbage : [message]
      operations.product(inputs).map { |op, input| [op, setting, input, op == :valid_message? ? {} : read] }
    end
  end

  # Both processes read what both wrote, bad messages too, alike; and a native process reads what
  # the pure one wrote as it reads its own messages.
  def expect_exchange(kind, write, read_operations)
    shapes = shapes(kind)
    written = written(write, shapes)
    cases = reads(read_operations, shapes, written[:native]) + reads(read_operations, shapes, written[:pure])
    expect(differences(cases)).to eq([])
    own, ported = %i[native pure].map { |impl| reads(read_operations, shapes, written[impl], mutate: false) }
    native, = run_cases(:native, own + ported)
    expect(native.last(ported.size)).to eq(native.first(own.size))
    written
  end

  describe "compared with the compiled extension, by what railsess' classes do" do
    before { skip "no compiled extension in lib/railsess" unless extension_built? }

    it "MessageEncryptor: encrypts and decrypts alike (each reading the other's messages), failures included" do
      expect_exchange(:encryptor, :encrypt_and_sign, [:decrypt_and_verify])
    end

    it "MessageVerifier: signs the same messages byte for byte, verifies alike, failures included" do
      written = expect_exchange(:verifier, :generate, %i[verified verify valid_message?])
      expect(written[:pure].map { |m| [m, m.encoding] }).to eq(written[:native].map { |m| [m, m.encoding] })
    end

    it "reads the messages real Rails wrote alike (spec/fixtures/vectors)" do
      cases = %w[message_encryptor message_verifier].flat_map do |kind|
        Vectors.of_kind(kind).map do |version, vector|
          serializer = vector["serializer"]
          serializer = serializer.start_with?(":") ? serializer[1..].to_sym : serializer.capitalize.sub("Json", "JSON")
          options = { rails_version: version, url_safe: vector["url_safe"] || false, serializer: serializer,
                      metadata: vector["use_message_serializer_for_metadata"] }
          options[:digest] = vector["digest"] if vector["digest"]
          secret = Vectors.unhex(vector["secret_hex"]) || ("w" * 32)
          if kind == "message_encryptor"
            options[:cipher] = vector["cipher"]
            [:decrypt_and_verify, [:encryptor, secret, Vectors.unhex(vector["sign_secret_hex"]), options, []],
             vector["message"], { purpose: vector["decrypt_purpose"] }]
          else
            [:verified, [:verifier, secret, nil, options, []], vector["message"], { purpose: vector["verify_purpose"] }]
          end
        end
      end
      expect(cases.size).to be > 100
      expect(differences(cases)).to eq([])
    end

    it "KeyGenerator: derives the same keys, or fails alike" do
      digests = [OpenSSL::Digest::SHA1, OpenSSL::Digest::SHA256, OpenSSL::Digest::SHA512, OpenSSL::Digest::MD5]
      generators = ["", "s", "k" * 200].product([1, 1000, 0], digests)
      cases = generators.product(["", "salt", nil], [1, 32, 129, 0]).map do |generator, salt, size|
        [:key, generator, [salt, size], {}]
      end
      expect(differences(cases)).to eq([])
    end

    it "Railsess::JSON and Rack's cookie escaping (used by the session middlewares) give the same results" do
      documents = ['{"a":1}', "[1,2.5,-0,1e400]", '"\u00e9\ud83d\ude00"', '"\ud800"', "[NaN]", "/* c */ [1]", "[1,]",
                   "", "#{'[' * 101}#{']' * 101}", '{"json_class":"String","raw":[97]}', "\"bad\xFF\"", '{"a":1,"a":2}']
      objects = [{ "a" => [1, "<\u2028>&"] }, { a: :b }, [1.5, nil, true], "\xFF".b, Time.utc(2030), 2**70]
      texts = ["a b+c/=%~*-._", "%zz", "%41%42", "é", "\xFF".b, "%E9", "a=1; a=2; b=%C3%BC; c=%zz; d", "é=é"]
      cases = documents.map { |json| [:decode, nil, json, {}] } + objects.map { |value| [:encode, nil, value, {}] } +
              %i[escape unescape cookies].product(texts).map { |operation, text| [operation, nil, text, {}] }
      expect(differences(cases)).to eq([])
    end
  end

  # --- the byte format, directly -----------------------------------------------------------------

  describe "compared with the compiled extension in this process, the byte format" do
    before do
      skip "the extension is not loaded (pure mode)" unless Railsess.native?
      # The process-wide settings that follow the loaded openssl gem and ActiveSupport.
      pure::Encryptor.empty_data = Railsess::Native.empty_data
      pure::Signer.alphabet_fallback = Railsess::Native.alphabet_fallback
    end

    # Deep comparison that also sees String encodings.
    def shape(value)
      case value
      when String then [value.b, value.encoding.name]
      when Array then value.map { |v| shape(v) }
      else value
      end
    end

    def outcome
      shape(yield)
    rescue StandardError => e
      [:raised, e.class, e.message]
    end

    # The pure module, with Railsess::Native's module functions as the extension has them.
    let(:pure_native) do
      Module.new.extend(pure::Functions).tap do |functions|
        %i[Encryptor Verifier].each { |name| functions.const_set(name, pure.const_get(name)) }
      end
    end

    # The inputs where the block's outcomes with Railsess::Native and with the pure module differ.
    def native_vs_pure(inputs)
      inputs.filter_map do |input|
        native = outcome { yield Railsess::Native, input }
        ported = outcome { yield pure_native, input }
        { input: input, native: native, pure: ported } unless native == ported
      end
    end

    def b64(data, url_safe: false)
      encoded = [data].pack("m0")
      url_safe ? encoded.tr("+/", "-_").delete("=") : encoded
    end

    def signed(secret, digest, encoded)
      "#{encoded}--#{OpenSSL::HMAC.hexdigest(digest, secret, encoded)}"
    end

    # [kind, key, sign secret, digest, url_safe, compat]
    def encryptor_settings
      [61, 70, 71, 72].product([false, true]).flat_map do |compat, url_safe|
        [[:gcm, "k" * 32, nil, nil, url_safe, compat], [:cbc, "k" * 32, "s" * 64, "SHA1", url_safe, compat],
         [:cbc, "k" * 32, "s" * 64, "SHA512", url_safe, compat]]
      end
    end

    def encryptor(impl, settings)
      kind, key, sign_secret, digest, url_safe, compat = settings
      if kind == :gcm
        impl::Encryptor.gcm(key, url_safe, compat)
      else
        impl::Encryptor.cbc(key, sign_secret, digest, url_safe, compat)
      end
    end

    it "writes the same legacy envelopes" do
      texts = [nil, "2001-01-01T00:00:00.000Z", "", "<a&b>\u2028\u2029\"\\\u0001\u001f\u007f\n\r\t\b\f/é😀"]
      serialized = ["", "x", "\x04\bI\"\x06a\x06:\x06ET".b, '{"a":[1]}']
      inputs = [61, 70, 71, 72].product([false, true], serialized, texts, texts)
      expect(native_vs_pure(inputs) do |impl, (compat, url_safe, data, exp, pur)|
        impl::Verifier.new("secret", "SHA256", url_safe, compat).generate_enveloped(data, exp, pur)
      end).to eq([])
    end

    it "signs and verifies alike, for every compatibility level" do
      secret = "verifier secret"
      encodings = ["YQ==", "YQ", "YQ=", "Y", "", " ", "\t", "-_8", "-_8=", "+/8=", "+/8", "YQ==\n", "Y Q==", "YR==",
                   "eyJhIjoxfQ==", "eyJhIjoxfQ", "a--b", "YQ==--YQ==", "é"]
      inputs = [61, 70, 71, 72].product([false, true], %w[SHA1 SHA384]).flat_map do |compat, url_safe, digest|
        messages = encodings.flat_map { |encoded| mutations(signed(secret, digest, encoded)) }
        messages += garbage.grep(String) + ["YQ==--#{'0' * 40}", "YQ==--#{'0' * 96}"]
        messages.map { |message| [compat, url_safe, digest, message] }
      end
      expect(native_vs_pure(inputs) do |impl, (compat, url_safe, digest, message)|
        verifier = impl::Verifier.new(secret, digest, url_safe, compat)
        [verifier.verified(message), verifier.valid?(message), verifier.generate(message)]
      end).to eq([])
    end

    it "decrypts what the other implementation encrypts, in the same format" do
      plains = ["x", "hello world" * 20, "\x00\xFF".b, "é"]
      inputs = encryptor_settings.product(plains, [false, true])
      expect(native_vs_pure(inputs) do |impl, (settings, plain, enveloped)|
        ours = encryptor(impl, settings)
        theirs = encryptor(impl.equal?(Railsess::Native) ? pure_native : Railsess::Native, settings)
        message = enveloped ? ours.encrypt_enveloped(plain, "2001-01-01T00:00:00.000Z", "p") : ours.encrypt(plain)
        [theirs.decrypt(message), ours.decrypt(message), message.encoding.name, message.bytesize]
      end).to eq([])
    end

    it "rejects tampered, truncated, garbage and foreign messages with the same errors" do
      inputs = encryptor_settings.flat_map do |settings|
        native = encryptor(Railsess::Native, settings)
        other_key = encryptor(Railsess::Native, settings.dup.tap { |s| s[1] = "o" * 32 })
        messages = mutations(native.encrypt("hello")) + mutations(native.encrypt_enveloped("x", nil, "p")) +
                   garbage.grep(String) + [other_key.encrypt("hello")] + crafted_messages(settings)
        messages.map { |message| [settings, message] }
      end
      expect(native_vs_pure(inputs) { |impl, (settings, message)| encryptor(impl, settings).decrypt(message) })
        .to eq([])
      # "" raises as the loaded openssl gem does (before 3.2), or is encrypted (3.2+): with a random IV,
      # so the message is compared by what the other implementation reads back.
      expect(native_vs_pure(encryptor_settings.product(["", 1])) do |impl, (settings, plain)|
        message = encryptor(impl, settings).encrypt(plain)
        other = impl.equal?(Railsess::Native) ? pure_native : Railsess::Native
        [encryptor(other, settings).decrypt(message), message.encoding.name, message.bytesize]
      end).to eq([])
    end

    it "escapes and unescapes www-form components alike" do
      rng = Random.new(7)
      alphabet = ["%", "+", " ", "a", "Z", "0", "9", "-", "_", ".", "*", "~", "/", "=", "f", "F", "\xFF", "é"].map(&:b)
      random = Array.new(300) { Array.new(rng.rand(0..12)) { alphabet.sample(random: rng) }.join.b }
      inputs = (0..255).map { |byte| [byte].pack("C") } + random +
               ["", "a b+c/=%~*-._", "ü", "%", "%4", "%zz", "100%", "%41%42", "%e9", "+%2B+", "%%41", "%4%41",
                "é".encode("ISO-8859-1")]
      expect(native_vs_pure(inputs) { |impl, input| impl.www_form_escape(input) }).to eq([])
      expect(native_vs_pure(inputs) { |impl, input| impl.www_form_unescape(input) }).to eq([])
    end

    it "parses Cookie headers alike (parse_cookies_header)" do
      rng = Random.new(8)
      alphabet = [";", " ", "=", "%", "+", "a", "4", "F", "é", "\xFF"]
      random = Array.new(200) { Array.new(rng.rand(0..20)) { alphabet.sample(random: rng) }.join }
      encodings = [Encoding::UTF_8, Encoding::BINARY, Encoding::US_ASCII, Encoding::ISO_8859_1]
      inputs = random.each_with_index.map { |header, i| header.dup.force_encoding(encodings[i % encodings.size]) } +
               ["", "a=1; a=2", "k", "=v", "a=%zz; b=%C3%BC"]
      shape = ->(hash) { hash&.map { |k, v| [k, k.encoding, v, v&.encoding] } }
      expect(native_vs_pure(inputs) { |impl, input| shape.call(impl.parse_cookies_header(input)) }).to eq([])
    end

    # Messages with parts of every size (IVs, tags, empty data; for CBC correctly signed), to see
    # which check fails first.
    def crafted_messages(settings)
      kind, _key, sign_secret, digest, url_safe, compat = settings
      url = url_safe && compat >= 71
      rng = Random.new(compat)
      return crafted_gcm(rng, url) if kind == :gcm

      [16, 12, 0].product(["", rng.bytes(15), rng.bytes(16), rng.bytes(32)]).flat_map do |iv_len, data|
        inner = "#{b64(data, url_safe: url)}--#{b64(rng.bytes(iv_len), url_safe: url)}"
        [inner, "#{inner}--Zm9v", "YQ==", "--YQ==", "YQ==--", "a--b--c"].map do |text|
          signed(sign_secret, digest, b64(text, url_safe: url))
        end
      end
    end

    def crafted_gcm(rng, url)
      [12, 16, 8].product([16, 18, 12, 0], ["", "x", "y" * 40]).flat_map do |iv_len, tag_len, data|
        parts = [data, rng.bytes(iv_len), rng.bytes(tag_len)]
        [parts, parts.first(2), [*parts, "z"]].flat_map do |fields|
          [fields.map { |f| b64(f, url_safe: url) }.join("--"), fields.map { |f| b64(f) }.join("--")]
        end
      end
    end
  end

  describe "on its own" do
    it "keeps key material out of inspect and Marshal, like the extension's objects" do
      key = "RAILSESS-PURE-KEY-#{'K' * 14}"
      objects = [pure::Encryptor.gcm(key, false, 72), pure::Encryptor.cbc(key, key, "SHA1", false, 72),
                 pure::Verifier.new(key, "SHA1", false, 72)]
      objects.each do |object|
        expect([object.inspect, object.to_s]).to all(satisfy { |text| !text.include?("RAILSESS-PURE") })
        expect { Marshal.dump(object) }.to raise_error(TypeError, /no _dump_data/)
      end
    end
  end

  describe "loading" do
    def run_ruby(env, code, *load_path)
      Open3.capture3(env, RbConfig.ruby, *[*load_path, lib].map { |dir| "-I#{dir}" }, "-e", code)
    end

    let(:check) do
      <<~RUBY
        require "json"
        require "railsess"
        require "railsess"
        e = Railsess::MessageEncryptor.new("k" * 32, cipher: "aes-256-gcm", serializer: JSON)
        v = Railsess::MessageVerifier.new("s", serializer: JSON)
        puts Railsess.native?, Railsess::Native::Encryptor.name,
             e.decrypt_and_verify(e.encrypt_and_sign({ "a" => 1 }, purpose: "p"), purpose: "p").inspect,
             v.verified(v.generate([1], purpose: "p"), purpose: "p").inspect
      RUBY
    end

    it "falls back to the pure implementation, warning once, when the extension cannot be loaded" do
      Dir.mktmpdir do |dir|
        # Ruby prefers railsess/railsess.rb on the load path to the .so: it stands in for a broken build,
        # both where a build for this Ruby goes and where `gem install` puts it.
        ["railsess", File.join("railsess", RUBY_VERSION[/\A\d+\.\d+/])].each do |sub|
          FileUtils.mkdir_p(File.join(dir, sub))
          File.write(File.join(dir, sub, "railsess.rb"),
                     'raise LoadError, "simulated: no railsess.so for this platform"')
        end
        out, err, status = run_ruby({ "RAILSESS_PURE" => nil }, check, dir)
        expect(status).to be_success, err
        expect(err).to eq("railsess: native extension unavailable (simulated: no railsess.so for this platform); " \
                          "using the pure-Ruby implementation\n")
        expect(out.lines.map(&:chomp)).to eq(["false", "Railsess::Native::Encryptor", '{"a"=>1}', "[1]"])
      end
    end

    it "uses the pure implementation silently when RAILSESS_PURE=1 asks for it" do
      out, err, status = run_ruby({ "RAILSESS_PURE" => "1" }, check)
      expect([err, status.success?]).to eq(["", true])
      expect(out.lines.map(&:chomp)).to eq(["false", "Railsess::Native::Encryptor", '{"a"=>1}', "[1]"])
    end

    it "uses the compiled extension otherwise" do
      skip "no compiled extension in lib/railsess" unless extension_built?

      out, err, status = run_ruby({ "RAILSESS_PURE" => nil }, check)
      expect([err, status.success?]).to eq(["", true])
      expect(out.lines.map(&:chomp)).to eq(["true", "Railsess::Native::Encryptor", '{"a"=>1}', "[1]"])
    end

    it "reports which implementation runs in this process" do
      pure_requested = !["", "0"].include?(ENV.fetch("RAILSESS_PURE", ""))
      expect(Railsess.native?).to eq(!pure_requested) if pure_requested || Railsess.native?
      expect(Railsess::Native::Encryptor.ancestors.include?(pure::Encryptor)).to eq(!Railsess.native?)
      expect(Railsess::Native::Verifier.ancestors.include?(pure::Verifier)).to eq(!Railsess.native?)
    end
  end
end
