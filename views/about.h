#pragma once

#include <QString>

namespace views {

class SyntaxSupport;

// The About box text (rich text): Chainsight's version, the Qt it runs on and was built with, and whether
// rule text is syntax highlighted.
QString aboutText(const SyntaxSupport& syntax);

} // namespace views
