# frozen_string_literal: true

# Differential check against the loaded ActiveSupport: the same operations, on valid and hostile
# input, must give the same outcome (value and its encoding, nil, or exception class).
# The suite runs it against Debian's ActiveSupport 6.1; point it at another version's source with
#   RAILSESS_ACTIVESUPPORT_LIB=/path/to/rails/activesupport/lib rspec spec/compat/differential_spec.rb
RSpec.describe "railsess vs the loaded ActiveSupport, differentially", :active_support do
  def outcome
    value = yield
    [:ok, value.is_a?(String) ? [value, value.encoding.name] : value]
  rescue Exception => e # rubocop:disable Lint/RescueException
    klass = e.class
    klass = klass.superclass while klass.name.nil? || klass.name.start_with?("Railsess")
    [:error, klass.name]
  end

  as_version = ActiveSupport::VERSION::STRING
  at_least71 = Gem::Version.new(as_version) >= Gem::Version.new("7.1")
  key = "k" * 32
  sign = "s" * 64
  null = ActiveSupport::MessageEncryptor::NullSerializer
  values = ["x", { "a" => 1 }, nil, "", [1, "é"]]
  purposes = [nil, "p", :p]

  hostile = lambda do |m|
    head, *, tail = m.split("--")
    [m, "#{m}--Zm9v", m[0..-2], m.sub(/.--/, "A--"), "--", "", " ", "a--b--c", m.tr("+/", "-_"), m.delete("="),
     nil, 1, :sym, [m], "\xff".b + m, "#{m}\xff", m.b, m.encode("UTF-16LE"),
     "--AAAAAAAAAAAAAA==--#{tail}", "#{head}--AAAAAAAAAAAAAA==--#{tail}", m.upcase]
  end

  encryptor_options = [
    { cipher: "aes-256-gcm", serializer: JSON }, { cipher: "aes-256-gcm", serializer: Marshal },
    { cipher: "aes-256-cbc", serializer: JSON }, { cipher: "aes-256-cbc", serializer: null },
    { cipher: "aes-256-gcm", serializer: null }, { cipher: "aes-256-cbc", digest: "SHA256", serializer: JSON }
  ]
  if at_least71
    encryptor_options += encryptor_options.map { |o| o.merge(url_safe: true) }
    encryptor_options += %i[json json_allow_marshal marshal].map { |s| { cipher: "aes-256-gcm", serializer: s } }
  end

  encryptor_options.product([nil, sign]).each do |options, sign_secret|
    it "MessageEncryptor #{options} sign_secret=#{!sign_secret.nil?} (ActiveSupport #{as_version})" do
      as = ActiveSupport::MessageEncryptor.new(key, sign_secret, **options)
      rs = Railsess::MessageEncryptor.new(key, sign_secret, **options)
      mismatches = []
      values.product(purposes, [nil, Time.now + 60, Time.now - 60]).each do |value, purpose, expires_at|
        written = [as, rs].map { |e| outcome { e.encrypt_and_sign(value, purpose: purpose, expires_at: expires_at).class } }
        mismatches << [:encrypt, value, purpose, *written] if written.uniq.size > 1
        message = as.encrypt_and_sign(value, purpose: purpose, expires_at: expires_at) rescue next # rubocop:disable Style/RescueModifier
        [*hostile.call(message), rs.encrypt_and_sign(value, purpose: purpose, expires_at: expires_at)].each do |m|
          [nil, "p", :p, "q", ""].each do |read_purpose|
            read = [as, rs].map { |e| outcome { e.decrypt_and_verify(m, purpose: read_purpose) } }
            mismatches << [m.inspect[0, 50], value, purpose, read_purpose, *read] if read.uniq.size > 1
          end
        end
      end
      expect(mismatches).to be_empty, mismatches.first(5).map(&:inspect).join("\n")
    end
  end

  verifier_options = [{ serializer: JSON }, { serializer: Marshal }, { digest: "SHA256", serializer: JSON },
                      { serializer: null }, { digest: "SHA512", serializer: JSON }, { digest: "MD5", serializer: JSON }]
  verifier_options += verifier_options.map { |o| o.merge(url_safe: true) } if at_least71

  verifier_options.each do |options|
    it "MessageVerifier #{options} (ActiveSupport #{as_version})" do
      as = ActiveSupport::MessageVerifier.new(sign, **options)
      rs = Railsess::MessageVerifier.new(sign, **options)
      mismatches = []
      values.product(purposes, [nil, Time.now + 60, Time.now - 60]).each do |value, purpose, expires_at|
        generated = [as, rs].map { |v| outcome { v.generate(value, purpose: purpose, expires_at: expires_at) } }
        mismatches << [:generate, value, purpose, *generated] if generated.uniq.size > 1
        message = as.generate(value, purpose: purpose, expires_at: expires_at) rescue next # rubocop:disable Style/RescueModifier
        [*hostile.call(message), "  ", "  ".encode("UTF-16LE"), "a--b"].each do |m|
          valid = [as, rs].map { |v| outcome { v.valid_message?(m) } }
          mismatches << [:valid_message?, m.inspect[0, 50], *valid] if valid.uniq.size > 1
          [nil, "p", "q"].each do |read_purpose|
            %i[verified verify].each do |method|
              read = [as, rs].map { |v| outcome { v.public_send(method, m, purpose: read_purpose) } }
              mismatches << [method, m.inspect[0, 50], value, purpose, read_purpose, *read] if read.uniq.size > 1
            end
          end
        end
      end
      expect(mismatches).to be_empty, mismatches.first(5).map(&:inspect).join("\n")
    end
  end
end
