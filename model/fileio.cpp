#include "model/fileio.h"

#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace model {

namespace {

ParseError ioError(const QString& path, const QString& reason)
{
    return ParseError { ErrorCode::Io, 0, 0, reason.toStdString(), path.toStdString() };
}

// Makes the rename itself durable; failure here is not an error for the caller (the data is written).
void syncDirectory(const QString& filePath)
{
    const QByteArray dir = QFile::encodeName(QFileInfo(filePath).absolutePath());
    const int fd = ::open(dir.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

} // namespace

Result<std::string> readWholeFile(const QString& path, qint64 limit) noexcept
{
    try {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return ioError(path, QStringLiteral("cannot open for reading: ") + file.errorString());
        if (file.size() > limit)
            return ioError(path, QStringLiteral("file too large (%1 bytes, limit %2)").arg(file.size()).arg(limit));
        const QByteArray data = file.readAll();
        if (file.error() != QFileDevice::NoError)
            return ioError(path, QStringLiteral("read failed: ") + file.errorString());
        return data.toStdString();
    } catch (const std::exception& e) {
        return ioError(path, QStringLiteral("read failed: ") + QString::fromUtf8(e.what()));
    }
}

Result<bool> writeFileAtomically(const QString& path, const std::string& data, std::optional<unsigned> mode) noexcept
{
    try {
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return ioError(path, QStringLiteral("cannot write: ") + file.errorString());
        if (file.write(data.data(), static_cast<qint64>(data.size())) != static_cast<qint64>(data.size()) || !file.flush()) {
            const QString reason = file.errorString();
            file.cancelWriting();
            return ioError(path, QStringLiteral("write failed: ") + reason);
        }
        if (::fdatasync(file.handle()) != 0) {
            file.cancelWriting();
            return ioError(path, QStringLiteral("could not flush to disk: ") + QString::fromLocal8Bit(strerror(errno)));
        }
        // Set on the temporary file, so the file never appears under its name with other permissions.
        if (mode && ::fchmod(file.handle(), static_cast<mode_t>(*mode)) != 0) {
            file.cancelWriting();
            return ioError(path, QStringLiteral("could not set permissions: ") + QString::fromLocal8Bit(strerror(errno)));
        }
        if (!file.commit())
            return ioError(path, QStringLiteral("could not replace the file: ") + file.errorString());
        syncDirectory(path);
        return true;
    } catch (const std::exception& e) {
        return ioError(path, QStringLiteral("write failed: ") + QString::fromUtf8(e.what()));
    }
}

} // namespace model
