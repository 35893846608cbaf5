# frozen_string_literal: true

namespace :docs do
  desc "Rewrite docs/FORMAT.md's worked examples from the vectors"
  task :format do
    require_relative "../docs/format_examples"
    path = File.expand_path("../docs/FORMAT.md", __dir__)
    File.write(path, FormatExamples.render(File.read(path)))
  end
end
